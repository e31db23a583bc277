// Cost of the admin audit log (issue 15): entries appended per second through AuditLog.record (redaction, canonical
// JSON, the chain head taken under its lock, SHA-256, insert) on SQLite and on PostgreSQL, one at a time and with 16
// in flight (on PostgreSQL split over two replicas' stores on one database, queueing on the advisory lock), then the
// chain verification of everything appended and one filtered page. Snapshots are ~1 KB, like a policy's settings.
// Writes bench/results/audit-log.json and prints a summary. Bounded: 3 runs of 1,000 appends per mode and engine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../common/clock.js';
import { createSilentLogger } from '../management/src/logging.js';
import { AuditLog } from '../management/src/service/audit/audit-log.js';
import { openPostgresStore } from '../management/src/store/postgres-store.js';
import { startScratchPostgres } from '../management/src/store/scratch-postgres.js';
import { openSqliteStore } from '../management/src/store/sqlite-store.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { machine, stats } from './stats.js';

const RUNS = 3;
const APPENDS = 1_000;
const settings = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`defender.Setting${i}WithALongishName`, i % 3]));

function event(i: number) {
  return {
    actor: { adminId: 'bootstrap', username: 'admin', role: 'administrator' },
    sourceAddress: '192.0.2.10',
    action: i % 2 === 0 ? 'policy.update' : 'group.addMember',
    target: { type: 'policy', id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
    outcome: 'success' as const,
    before: { name: 'AV baseline', kind: 'antivirus', latestVersion: i, settings },
    after: { name: 'AV baseline', kind: 'antivirus', latestVersion: i + 1, settings },
  };
}

async function appendRate(logs: readonly AuditLog[], inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (w: number) => {
    const log = logs[w % logs.length] as AuditLog;
    while (next < APPENDS) await log.record(event(next++));
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  return APPENDS / ((performance.now() - started) / 1000);
}

async function measure(stores: readonly ManagementStore[]) {
  const logs = stores.map((store) => new AuditLog({ store, clock: systemClock, logger: createSilentLogger() }));
  const serial: number[] = [];
  const parallel: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    serial.push(await appendRate(logs.slice(0, 1), 1));
    parallel.push(await appendRate(logs, 16));
  }
  const first = logs[0] as AuditLog;
  let started = performance.now();
  const verified = await first.verify();
  const verifyMs = performance.now() - started;
  if (!verified.ok || verified.entries !== RUNS * APPENDS * 2) throw new Error(`chain did not verify: ${JSON.stringify(verified)}`);
  // The first listing compiles the query's schema validator (once per process): measured after it.
  await first.list({ action: 'group.', limit: '100' });
  const pageMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    started = performance.now();
    const page = await first.list({ action: 'group.', limit: '100', cursor: String(RUNS * APPENDS * 2 - i * 100) });
    pageMs.push(performance.now() - started);
    if (page.entries.length !== 100) throw new Error('filtered page is short');
  }
  return {
    appendsPerSecondSerial: stats(serial),
    appendsPerSecond16InFlight: stats(parallel),
    verifyMs,
    verifiedEntries: verified.entries,
    filteredPageMs: stats(pageMs),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'attache-audit-bench-'));
  const sqliteStore = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  const cluster = await startScratchPostgres();
  const url = await cluster.createDatabase();
  const replicas = [await openPostgresStore({ url, poolSize: 4 }), await openPostgresStore({ url, poolSize: 4 })];
  let sqlite: Awaited<ReturnType<typeof measure>>;
  let postgres: Awaited<ReturnType<typeof measure>>;
  try {
    sqlite = await measure([sqliteStore]);
    postgres = await measure(replicas);
  } finally {
    await sqliteStore.close();
    for (const store of replicas) await store.close();
    cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const result = { benchmark: 'audit-log', machine: machine(), appendsPerRun: APPENDS, results: { sqlite, postgresTwoReplicas: postgres } };
  await writeFile(join(import.meta.dirname, 'results', 'audit-log.json'), `${JSON.stringify(result, null, 2)}\n`);
  const line = (name: string, r: typeof sqlite) =>
    `${name}: ${r.appendsPerSecondSerial.median} appends/s serial, ${r.appendsPerSecond16InFlight.median} with 16 in flight; ` +
    `verify ${r.verifiedEntries} entries ${Math.round(r.verifyMs)} ms; filtered page of 100 ${r.filteredPageMs.median} ms\n`;
  process.stdout.write(line('sqlite', sqlite) + line('postgres (2 replicas)', postgres));
}

await main();
