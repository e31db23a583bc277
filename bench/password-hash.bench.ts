// Cost of the admin password hash (review of issue 15: scrypt N=2^15 was below OWASP's N=2^17 for r=8): one login's
// verification at N=2^15 and N=2^17 (r=8, p=1), serially, and the process RSS with 4 verifications at once (libuv's
// thread pool runs 4; scrypt takes 128·N·r bytes each). Bounded: 5 serial runs and one batch of 4 per cost.
// Writes bench/results/password-hash.json and prints a summary.
import { randomBytes, scryptSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyPassword } from '../management/src/service/identity/passwords.js';
import { machine, stats } from './stats.js';

const RUNS = 5;
const COSTS = [1 << 15, 1 << 17];

function encoded(password: string, N: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 });
  return `scrypt$${N}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const N of COSTS) {
    const hash = encoded('correct horse battery staple', N);
    const serialMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      if (!(await verifyPassword('correct horse battery staple', hash))) throw new Error('hash does not verify');
      serialMs.push(performance.now() - started);
    }
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, () => verifyPassword('wrong password guess', hash)));
    const batchMs = performance.now() - started;
    clearInterval(sampler);
    results[`N=${N}`] = {
      memoryPerHashMiB: (128 * N * 8) / 2 ** 20,
      verifyMs: stats(serialMs),
      fourAtOnceMs: Math.round(batchMs),
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      rssPeakFourAtOnceMiB: Math.round(peakRss / 2 ** 20),
    };
  }
  const result = { benchmark: 'password-hash', machine: machine(), runs: RUNS, results };
  await writeFile(join(import.meta.dirname, 'results', 'password-hash.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const [cost, r] of Object.entries(results) as [string, { verifyMs: { median: number }; fourAtOnceMs: number; rssPeakFourAtOnceMiB: number }][]) {
    process.stdout.write(`${cost}: verify ${r.verifyMs.median} ms median of ${RUNS}; 4 at once ${r.fourAtOnceMs} ms, peak RSS ${r.rssPeakFourAtOnceMiB} MiB\n`);
  }
}

await main();
