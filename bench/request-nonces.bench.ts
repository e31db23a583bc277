// Cost of persisted replay protection (issue 12): how many request nonces per second the SQLite store claims (an
// insert on the (device, nonce) key, as every signed request does; since issue 13 concurrent claims share one
// multi-row insert), with 1 and 64 requests in flight, and how long one sweep batch of 10,000 expired nonces takes.
// Target context: issue 13 wants 5,000 check-ins/s.
// Writes bench/results/request-nonces.json and prints a summary. Bounded: 5 runs of 20,000 claims per mode.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NONCE_SWEEP_BATCH } from '../management/src/http/device-auth.js';
import { openSqliteStore } from '../management/src/store/sqlite-store.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { machine, stats } from './stats.js';

const RUNS = 5;
const CLAIMS = 20_000;
const DEVICES = Array.from({ length: 1_000 }, () => randomUUID());

async function claimRate(store: ManagementStore, inFlight: number, expiresFrom: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < CLAIMS) {
      const i = next++;
      if (!(await store.claimNonce(DEVICES[i % DEVICES.length] as string, randomBytes(16).toString('base64url'), expiresFrom + i)))
        throw new Error('fresh nonce refused');
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return CLAIMS / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'attache-nonce-bench-'));
  const store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  const serial: number[] = [];
  const parallel: number[] = [];
  const sweepMs: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      // Each run's nonces expire at distinct times (as real ones do), before the next run's; the sweep takes one batch.
      const base = run * 2 * CLAIMS;
      serial.push(await claimRate(store, 1, base));
      parallel.push(await claimRate(store, 64, base + CLAIMS));
      const started = performance.now();
      await store.sweepNonces(base + 2 * CLAIMS, NONCE_SWEEP_BATCH);
      sweepMs.push(performance.now() - started);
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'request-nonces',
    machine: machine(),
    claimsPerRun: CLAIMS,
    sweepBatch: NONCE_SWEEP_BATCH,
    results: { claimsPerSecondSerial: stats(serial), claimsPerSecond64InFlight: stats(parallel), sweepBatchMs: stats(sweepMs) },
  };
  await writeFile(join(import.meta.dirname, 'results', 'request-nonces.json'), `${JSON.stringify(result, null, 2)}\n`);
  const r = result.results;
  process.stdout.write(
    `nonce claims/s: ${r.claimsPerSecondSerial.median} serial, ${r.claimsPerSecond64InFlight.median} with 64 in flight; ` +
      `sweep of ${NONCE_SWEEP_BATCH}: ${r.sweepBatchMs.median} ms (medians of ${RUNS})\n`,
  );
}

await main();
