// Wall-clock milliseconds with sub-millisecond resolution, comparable across the simulator's processes (the latency
// of one change is measured from the coordinator's clock to a fleet process's clock on the same machine).

/** Unix time in milliseconds, fractional. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` (unref'd: a pending sleep never keeps a process alive on its own). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
