// Entry of one fleet process (forked by fleet.ts): runs its share of the simulated hosts, applies the faults and load
// the coordinator sends, and streams counters and acknowledged reports back every 250 ms. Separate processes, not
// threads: each has its own file-descriptor table, and thousands of TLS sockets need that on a 20,000-fd limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../agent/src/logging.js';
import { sleep, systemClock, type TimerHandle } from '../../../common/clock.js';
import { toAttacheError } from '../../../common/errors.js';
import { pool } from '../pool.js';
import { FaultInjector } from './fault-injector.js';
import type { AckRecord, BurstResult, FleetCommand, FleetEvent, FleetInit, FleetStats, FootprintResult } from './protocol.js';
import { type HostSink, SimHost } from './sim-host.js';
import { sharedSoftware } from './software-profiles.js';

const FLUSH_MS = 250;

type CounterName = Parameters<HostSink['count']>[0];

class FleetProcess {
  private hosts: SimHost[] = [];
  private init: FleetInit | undefined;
  private faults = new FaultInjector([]);
  private packageDir: string | undefined;
  /** When the endpoint last acknowledged a report of each host (the failing-hosts table shows it). */
  private readonly lastReportAt = new Map<number, number>();
  private readonly counters: Record<CounterName, number> = {
    checkins: 0,
    notModified: 0,
    syncs: 0,
    reportsQueued: 0,
    reportsAcked: 0,
    pushConnects: 0,
    pushDisconnects: 0,
    alertsAcked: 0,
    alertsDuplicate: 0,
  };
  private readonly errors: Record<string, number> = {};
  /** The first message seen for each error code (the report shows one example per code). */
  private readonly errorSamples: Record<string, string> = {};
  private enrolled: [number, string, number, number][] = [];
  private enrollFailed: [number, string][] = [];
  private acks: AckRecord[] = [];
  private enrolledCount = 0;
  private baseline = { rss: 0, heap: 0 };
  private readonly flushTimer: TimerHandle;

  private readonly sink: HostSink = {
    count: (name) => {
      this.counters[name]++;
    },
    error: (code, message) => {
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      this.errorSamples[code] ??= message.slice(0, 300);
    },
    ack: (record) => {
      this.acks.push(record);
      this.lastReportAt.set(record.host, record.t);
    },
  };

  constructor() {
    this.flushTimer = systemClock.every(FLUSH_MS, () => this.flush());
  }

  async handle(message: FleetInit | FleetCommand): Promise<void> {
    if (message.type === 'init') return this.start(message);
    try {
      const result = await this.run(message);
      this.flush();
      this.send({ type: 'reply', id: message.id, result });
    } catch (err) {
      this.send({ type: 'reply', id: message.id, error: (err as Error).stack ?? String(err) });
    }
    if (message.type === 'stop') {
      this.flushTimer.cancel();
      process.disconnect?.();
    }
  }

  private start(init: FleetInit): void {
    gc();
    this.baseline = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
    this.init = init;
    const logger = silentLogger();
    // Investigation packages are real files (the executor uploads them from a path); removed when the process stops.
    this.packageDir = mkdtempSync(join(tmpdir(), 'attache-sim-packages-'));
    const packageDir = this.packageDir;
    // One package list per scenario slice, shared by its hosts (each copies only what an update changes).
    const software = (init.behaviour.software?.profiles ?? []).map((p) => (p ? sharedSoftware(p, init.behaviour.seed) : undefined));
    this.hosts = init.hosts.map((spec) => {
      const shared = spec.softwareProfile === undefined ? undefined : software[spec.softwareProfile];
      return new SimHost(spec, init.behaviour, { sink: this.sink, logger, packageDir, ...(shared ? { software: shared } : {}) });
    });
    this.faults = new FaultInjector(this.hosts);
  }

  private run(command: FleetCommand): Promise<unknown> {
    switch (command.type) {
      case 'enroll':
        return this.enrollAll(command.concurrency);
      case 'start':
        return this.startAll(command.perSecond);
      case 'fault':
        return Promise.resolve(this.faults.apply(command.step, command.stepIndex, command.targets));
      case 'faultHits':
        return Promise.resolve(this.faults.faultHits());
      case 'endState':
        return Promise.resolve(this.faults.endState(command.settings, this.lastReportAt));
      case 'burst':
        return this.burst(command.rounds, command.concurrency);
      case 'measure':
        return this.measure(command.idleSeconds);
      case 'stop':
        return Promise.all(this.hosts.map((h) => h.stop())).finally(() => this.packageDir && rmSync(this.packageDir, { recursive: true, force: true }));
    }
  }

  private async enrollAll(concurrency: number): Promise<void> {
    const packages = this.init?.packages ?? {};
    await pool(this.hosts, concurrency, async (host) => {
      const pkg = packages[host.spec.packageKey];
      const started = systemClock.now();
      try {
        if (!pkg) throw new Error(`no onboarding package ${host.spec.packageKey}`);
        const deviceId = await host.enroll(pkg);
        this.enrolled.push([host.spec.index, deviceId, started, systemClock.now()]);
        this.enrolledCount++;
      } catch (err) {
        const e = toAttacheError(err);
        this.enrollFailed.push([host.spec.index, e.code]);
        this.sink.error(e.code, e.message);
      }
    });
  }

  /** Starts every enrolled host (push channel + startup sync), at most `perSecond` a second (0: all at once). */
  private async startAll(perSecond: number): Promise<void> {
    const enrolled = this.hosts.filter((h) => h.deviceId !== undefined && !h.running);
    const batch = perSecond > 0 ? Math.max(1, Math.round(perSecond / 10)) : enrolled.length;
    for (let i = 0; i < enrolled.length; i += batch) {
      for (const host of enrolled.slice(i, i + batch)) host.start();
      if (perSecond > 0) await sleep(systemClock, 100);
    }
  }

  private async burst(rounds: number, concurrency: number): Promise<BurstResult> {
    const before = { checkins: this.counters.checkins, errors: totalErrors(this.errors) };
    const started = systemClock.now();
    const running = this.hosts.filter((h) => h.running);
    await pool(running, concurrency, async (host) => {
      for (let r = 0; r < rounds; r++) await host.trigger('schedule');
    });
    return {
      checkins: this.counters.checkins - before.checkins,
      failed: totalErrors(this.errors) - before.errors,
      started,
      finished: systemClock.now(),
    };
  }

  private async measure(idleSeconds: number): Promise<FootprintResult> {
    gc();
    const memory = process.memoryUsage();
    const cpuBefore = process.cpuUsage();
    const t0 = systemClock.now();
    if (idleSeconds > 0) await sleep(systemClock, idleSeconds * 1000);
    const cpu = process.cpuUsage(cpuBefore);
    return {
      hosts: this.hosts.filter((h) => h.running).length,
      baselineRss: this.baseline.rss,
      rss: memory.rss,
      baselineHeap: this.baseline.heap,
      heapUsed: memory.heapUsed,
      idleCpuMicros: cpu.user + cpu.system,
      idleMs: systemClock.now() - t0,
      stateChars: this.hosts.reduce((sum, h) => sum + h.stateChars, 0),
    };
  }

  private stats(): FleetStats {
    const cpu = process.cpuUsage();
    return {
      hosts: this.hosts.length,
      enrolled: this.enrolledCount,
      connected: this.hosts.reduce((n, h) => n + (h.connected ? 1 : 0), 0),
      ...this.counters,
      unacked: this.hosts.reduce((n, h) => n + h.unacked.size, 0),
      errors: { ...this.errors },
      errorSamples: { ...this.errorSamples },
      rss: process.memoryUsage().rss,
      cpuMicros: cpu.user + cpu.system,
      at: systemClock.now(),
    };
  }

  private flush(): void {
    const batch: FleetEvent = { type: 'batch', enrolled: this.enrolled, enrollFailed: this.enrollFailed, acks: this.acks, stats: this.stats() };
    this.enrolled = [];
    this.enrollFailed = [];
    this.acks = [];
    this.send(batch);
  }

  private send(event: FleetEvent): void {
    if (process.connected) process.send?.(event);
  }
}

function totalErrors(errors: Readonly<Record<string, number>>): number {
  return Object.values(errors).reduce((a, b) => a + b, 0);
}

/** A full collection when the process was started with --expose-gc (fleet.ts does), so footprints are comparable. */
function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const fleet = new FleetProcess();
process.on('message', (message: FleetInit | FleetCommand) => {
  void fleet.handle(message);
});
// The coordinator is gone: nothing left to report to.
process.on('disconnect', () => process.exit(0));
