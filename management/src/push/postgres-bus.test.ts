// Tests of the replicas' bus and leadership on a real (scratch) PostgreSQL: events reach the other replicas and not
// the publisher, ids of one turn travel together and split at IDS_PER_EVENT, foreign payloads are dropped, a lost
// listening connection reconnects and reports the gap; exactly one leader, and another takes over when it goes.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { createSilentLogger } from '../logging.js';
import { PostgresLeadership, type Stop } from '../service/leadership.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/scratch-postgres.js';
import { type ClusterEvent, IDS_PER_EVENT } from './cluster-bus.js';
import { CLUSTER_CHANNEL, PostgresBus } from './postgres-bus.js';

let cluster: ScratchPostgres;
let url: string;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  cluster = await startScratchPostgres();
  url = await cluster.createDatabase();
});
afterAll(() => cluster?.stop());
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function bus(): Promise<{ bus: PostgresBus; events: ClusterEvent[]; gaps: number[] }> {
  const b = await PostgresBus.connect(url, { clock: systemClock, logger: createSilentLogger() });
  const events: ClusterEvent[] = [];
  const gaps: number[] = [];
  b.subscribe(
    (e) => events.push(e),
    () => gaps.push(Date.now()),
  );
  closers.push(() => b.close());
  return { bus: b, events, gaps };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function sql(text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('PostgresBus', () => {
  it('delivers an event to the other replicas, not back to its publisher', async () => {
    const [a, b, c] = [await bus(), await bus(), await bus()];
    a.bus.publish({ type: 'disconnect', deviceId: id(1), code: 4003, reason: 'device revoked' });
    a.bus.publish({ type: 'sets', deviceIds: 'all' });
    await until('b and c got both', () => b.events.length === 2 && c.events.length === 2);
    expect(b.events).toEqual([
      { type: 'disconnect', deviceId: id(1), code: 4003, reason: 'device revoked' },
      { type: 'sets', deviceIds: 'all' },
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.events).toEqual([]);
  });

  it('sends the device ids of one turn together, split into events of at most IDS_PER_EVENT', async () => {
    const [a, b] = [await bus(), await bus()];
    const many = Array.from({ length: IDS_PER_EVENT + 10 }, (_, i) => id(i));
    for (const d of many) a.bus.publish({ type: 'compliance', deviceIds: [d] });
    a.bus.publish({ type: 'nudge', deviceIds: [id(1), id(2)], reason: 'policy-changed' });
    a.bus.publish({ type: 'nudge', deviceIds: [id(2), id(3)], reason: 'policy-changed' });
    await until('three events', () => b.events.length === 3);
    const compliance = b.events.filter((e) => e.type === 'compliance') as { readonly deviceIds: readonly string[] }[];
    expect(compliance.map((e) => e.deviceIds.length)).toEqual([IDS_PER_EVENT, 10]);
    expect(compliance.flatMap((e) => e.deviceIds)).toEqual(many);
    expect(b.events.find((e) => e.type === 'nudge')).toEqual({ type: 'nudge', deviceIds: [id(1), id(2), id(3)], reason: 'policy-changed' });
  });

  it('drops what is not a known event from any replica', async () => {
    const b = await bus();
    const foreign = [
      'not json',
      JSON.stringify({ origin: 'x', event: { type: 'nudge', deviceIds: ['not-a-uuid'], reason: 'policy-changed' } }),
      JSON.stringify({ origin: 'x', event: { type: 'nudge', deviceIds: [id(1)], reason: 'because' } }),
      JSON.stringify({ origin: 'x', event: { type: 'disconnect', deviceId: id(1), code: 1000, reason: 'x' } }),
      JSON.stringify({ origin: 'x', event: { type: 'shell', command: 'rm -rf /' } }),
      JSON.stringify({ origin: 'x', event: { type: 'sets', deviceIds: 'all' } }),
    ];
    for (const payload of foreign) await sql('select pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]);
    await until('the one valid event', () => b.events.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.events).toEqual([{ type: 'sets', deviceIds: 'all' }]);
  });

  it('reconnects after its listening connection is killed, reports the gap, and hears later events', async () => {
    const [a, b] = [await bus(), await bus()];
    // Every backend listening on the channel but a's: b's listener.
    await sql(`select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and query ilike 'LISTEN%' and pid <> all($1::int[])`, [[]]);
    await until('gap reported', () => b.gaps.length >= 1 && a.gaps.length >= 1);
    a.bus.publish({ type: 'sets', deviceIds: [id(7)] });
    await until('event after reconnect', () => b.events.length === 1);
    expect(b.events[0]).toEqual({ type: 'sets', deviceIds: [id(7)] });
  });
});

describe('PostgresLeadership', () => {
  it('has exactly one leader; when it goes, another takes over at its next try', async () => {
    const clock = new ManualClock(0);
    const running: string[] = [];
    const replica = async (name: string) => {
      const l = new PostgresLeadership(url, { clock, logger: createSilentLogger(), replicaId: name });
      l.whileLeader((): Stop => {
        running.push(name);
        return async () => {
          running.splice(running.indexOf(name), 1);
        };
      });
      await l.start();
      closers.push(() => l.close());
      return l;
    };
    const a = await replica('a');
    const b = await replica('b');
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(running).toEqual(['a']);
    await a.close();
    expect(running).toEqual([]);
    await clock.tick();
    expect(b.isLeader()).toBe(true);
    expect(running).toEqual(['b']);
  });

  it('gives the work up when its connection dies, and another replica leads', async () => {
    const clock = new ManualClock(0);
    const a = new PostgresLeadership(url, { clock, logger: createSilentLogger(), replicaId: 'a' });
    const b = new PostgresLeadership(url, { clock, logger: createSilentLogger(), replicaId: 'b' });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    let aRuns = 0;
    a.whileLeader(() => {
      aRuns++;
      return async () => {
        aRuns--;
      };
    });
    await a.start();
    await b.start();
    expect(a.isLeader()).toBe(true);
    await sql(`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted`);
    await until('a resigned', () => !a.isLeader() && aRuns === 0);
    await clock.tick();
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
  });
});
