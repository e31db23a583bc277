// The `serve` CLI as a real child process, for integration tests (main.integration.test.ts, ops.integration.test.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const MAIN = resolve('management/src/main.ts');

/** A `serve` process that printed its listening line. */
export interface Served {
  readonly child: ChildProcess;
  readonly line: { event: string; url: string; dataDir: string; metricsUrl?: string };
  readonly extraStdout: () => string;
}

/** Starts `attache-management serve` on `dataDir` (any free port); rejects with its exit code and stderr when it exits first. */
export function serve(dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolvePromise({ child, line: JSON.parse(stdout.slice(0, newline)), extraStdout: () => stdout.slice(newline + 1) });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
}

/** SIGTERM, then the exit code. */
export function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill('SIGTERM');
  });
}
