// Tests of the replicas' bus and leadership on a real (scratch) PostgreSQL: events reach the other replicas and not
// the publisher, ids of one turn travel together and split at IDS_PER_EVENT, foreign and forged payloads are dropped,
// a lost or silently dead (black-holed) connection is noticed; exactly one leader, and another takes over when it goes.
import { createHmac, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { type Clock, systemClock } from '../../../common/clock.js';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { createSilentLogger, type Logger } from '../logging.js';
import { LEADER_CHECK_TIMEOUT_MS, PostgresLeadership, type Stop } from '../service/leadership.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/scratch-postgres.js';
import { type ClusterEvent, IDS_PER_EVENT } from './cluster-bus.js';
import { END_TIMEOUT_MS } from './pg-connections.js';
import { CLUSTER_CHANNEL, EARLY_EVENTS_MAX, PING_EVERY_MS, PING_TIMEOUT_MS, PostgresBus } from './postgres-bus.js';

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

const key = randomBytes(32);
const signed = (origin: string, event: unknown, withKey = key) =>
  JSON.stringify({ origin, event, mac: createHmac('sha256', withKey).update(JSON.stringify({ origin, event })).digest('hex') });

interface TestBus {
  bus: PostgresBus;
  events: ClusterEvent[];
  gaps: number[];
}

async function bus(options: { clock?: Clock; url?: string; subscribe?: boolean; logger?: Logger } = {}): Promise<TestBus> {
  const b = await PostgresBus.connect(options.url ?? url, key, { clock: options.clock ?? systemClock, logger: options.logger ?? createSilentLogger() });
  const t: TestBus = { bus: b, events: [], gaps: [] };
  if (options.subscribe !== false) subscribe(t);
  closers.push(() => b.close());
  return t;
}

function subscribe(t: TestBus): void {
  t.bus.subscribe(
    (e) => t.events.push(e),
    () => t.gaps.push(Date.now()),
  );
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
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
      signed('x', { type: 'nudge', deviceIds: ['not-a-uuid'], reason: 'policy-changed' }),
      signed('x', { type: 'nudge', deviceIds: [id(1)], reason: 'because' }),
      signed('x', { type: 'disconnect', deviceId: id(1), code: 1000, reason: 'x' }),
      signed('x', { type: 'shell', command: 'rm -rf /' }),
      // Forged: well-formed events without a MAC, with a MAC under another key, with a MAC of another event.
      JSON.stringify({ origin: 'x', event: { type: 'sets', deviceIds: [id(2)] } }),
      signed('x', { type: 'sets', deviceIds: [id(3)] }, randomBytes(32)),
      JSON.stringify({ ...JSON.parse(signed('x', { type: 'sets', deviceIds: [id(4)] })), event: { type: 'sets', deviceIds: [id(5)] } }),
      signed('x', { type: 'sets', deviceIds: 'all' }),
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

async function listeners(): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()`,
    );
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

/** A loopback TCP proxy to the scratch server; freeze() black-holes the connections open at that moment. */
async function blackHoleProxy(): Promise<{ url: string; freeze(): void }> {
  const target = new URL(url);
  const pairs: [Socket, Socket][] = [];
  const server: Server = createServer((downstream) => {
    const upstream = connect(Number(target.port), target.hostname);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    const swallow = () => undefined;
    downstream.on('error', swallow);
    upstream.on('error', swallow);
    pairs.push([downstream, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  closers.push(async () => {
    for (const socket of pairs.flat()) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `postgres://${target.username}@127.0.0.1:${port}${target.pathname}`,
    freeze() {
      for (const [down, up] of pairs) {
        down.unpipe(up);
        up.unpipe(down);
        down.pause();
        up.pause();
      }
    },
  };
}

/** Advances `clock` in steps until `done()` (real I/O runs between steps). */
async function advanceUntil(clock: ManualClock, stepMs: number, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!done()) throw new Error(`never happened: ${what}`);
}

function recordingLogger(): { logger: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }) };
}

describe('PostgresBus at the edges', () => {
  it('keeps the events heard before subscribe and delivers them on subscribe, in order', async () => {
    const [a, b, witness] = [await bus({ subscribe: false }), await bus({ subscribe: false }), await bus({ subscribe: false })];
    subscribe(witness);
    a.bus.publish({ type: 'sets', deviceIds: [id(1)] });
    a.bus.publish({ type: 'disconnect', deviceId: id(2), code: 4003, reason: 'device revoked' });
    await until('the witness heard both', () => witness.events.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.events).toEqual([]);
    subscribe(b);
    expect(b.events).toEqual(witness.events);
    expect(b.gaps.length).toBe(0);
  });

  it('reports a gap instead when more than EARLY_EVENTS_MAX events arrive before subscribe', async () => {
    const [a, b, witness] = [await bus({ subscribe: false }), await bus({ subscribe: false }), await bus({ subscribe: false })];
    subscribe(witness);
    for (let i = 0; i <= EARLY_EVENTS_MAX; i++) a.bus.publish({ type: 'disconnect', deviceId: id(i), code: 4003, reason: 'r' });
    a.bus.publish({ type: 'sets', deviceIds: 'all' });
    await until('the witness heard all', () => witness.events.length === EARLY_EVENTS_MAX + 2, 60_000);
    await new Promise((r) => setTimeout(r, 100));
    subscribe(b);
    expect(b.gaps.length).toBe(1);
    // What came after the overflow is still delivered.
    expect(b.events).toEqual([{ type: 'sets', deviceIds: 'all' }]);
  }, 90_000);

  it('treats a listener that stops hearing its own ping as lost: reconnects and reports the gap', async () => {
    const clock = new ManualClock(0);
    const proxy = await blackHoleProxy();
    const b = await bus({ url: proxy.url, clock, subscribe: false });
    subscribe(b);
    // A healthy listener hears its ping back: no gap.
    await clock.advance(PING_EVERY_MS);
    await new Promise((r) => setTimeout(r, 300));
    await clock.advance(PING_TIMEOUT_MS);
    expect(b.gaps.length).toBe(0);
    proxy.freeze(); // the listener's and the publisher's connections go silent, new ones pass
    await advanceUntil(clock, 1_000, () => b.gaps.length === 1, 'gap after a silent listener');
    const a = await bus({ subscribe: false });
    a.bus.publish({ type: 'sets', deviceIds: [id(9)] });
    await until('event after the reconnect', () => b.events.length === 1);
    expect(b.events).toEqual([{ type: 'sets', deviceIds: [id(9)] }]);
  });

  it('closes without hanging when its database host is black-holed', async () => {
    const clock = new ManualClock(0);
    const proxy = await blackHoleProxy();
    const b = await bus({ url: proxy.url, clock, subscribe: false });
    subscribe(b);
    proxy.freeze();
    let closed = false;
    const closing = b.bus.close().then(() => {
      closed = true;
    });
    await advanceUntil(clock, END_TIMEOUT_MS / 4, () => closed, 'close');
    await closing;
  });

  it('does not keep or report a reconnection that finishes after close', async () => {
    const clock = new ManualClock(0);
    const b = await bus({ clock, subscribe: false });
    subscribe(b);
    const kill = new pg.Client({ connectionString: url });
    await kill.connect();
    await kill.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`);
    await kill.end();
    await until('listener gone', async () => (await listeners()) === 0);
    await new Promise((r) => setTimeout(r, 100));
    // The reconnect timer fires and LISTEN starts; close while it is under way.
    void clock.advance(15_000);
    await b.bus.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(b.gaps.length).toBe(0);
    expect(await listeners()).toBe(0);
  });

  it('logs an event it could not publish after a retry as an error, and publishes the next', async () => {
    const { logger, lines } = recordingLogger();
    const [a, b] = [await bus({ logger, subscribe: false }), await bus({ subscribe: false })];
    subscribe(b);
    // Past NOTIFY's 8,000-byte payload limit: pg_notify fails, twice.
    a.bus.publish({ type: 'disconnect', deviceId: id(1), code: 4003, reason: 'x'.repeat(9_000) });
    a.bus.publish({ type: 'sets', deviceIds: 'all' });
    await until('the next event', () => b.events.length === 1);
    expect(b.events).toEqual([{ type: 'sets', deviceIds: 'all' }]);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.message === 'cluster event not published')).toMatchObject([{ level: 'error', type: 'disconnect', attempts: 2 }]);
  });
});

describe('PostgresLeadership when its connection goes silent', () => {
  it('asks the server to probe the lock session every few seconds', async () => {
    const l = new PostgresLeadership(url, { clock: new ManualClock(0), logger: createSilentLogger(), replicaId: 'a' });
    closers.push(() => l.close());
    await l.start();
    expect(l.isLeader()).toBe(true);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    closers.push(() => client.end());
    // The lock's session, seen from outside: its keepalive settings are its own, so ask it through the lock query.
    const { rows } = await client.query<{ pid: number }>(`select pid from pg_locks where locktype = 'advisory' and granted`);
    expect(rows).toHaveLength(1);
    const settings = await (l as unknown as { client: pg.Client }).client.query<{ idle: string; interval: string; count: string }>(
      `select current_setting('tcp_keepalives_idle') as idle, current_setting('tcp_keepalives_interval') as interval, current_setting('tcp_keepalives_count') as count`,
    );
    expect(settings.rows[0]).toEqual({ idle: '10', interval: '5', count: '3' });
  });

  it('resigns when its lock connection stops answering, and leads again once the old session is gone', async () => {
    const clock = new ManualClock(0);
    const proxy = await blackHoleProxy();
    const l = new PostgresLeadership(proxy.url, { clock, logger: createSilentLogger(), replicaId: 'a' });
    closers.push(() => l.close());
    let running = 0;
    l.whileLeader(() => {
      running++;
      return async () => {
        running--;
      };
    });
    await l.start();
    expect([l.isLeader(), running]).toEqual([true, 1]);
    proxy.freeze();
    const ticked = clock.tick();
    await clock.advance(LEADER_CHECK_TIMEOUT_MS);
    await ticked;
    expect([l.isLeader(), running]).toEqual([false, 0]);
  });
});
