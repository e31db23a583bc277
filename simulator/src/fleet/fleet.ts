// The coordinator's handle on the fleet: forks the fleet processes, deals the hosts out round-robin, sends commands
// to all of them and merges what they stream back.

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sleep, systemClock } from '../../../common/clock.js';
import type { OnboardingPackage } from '../../../policy-schemas/src/index.js';
import type {
  AckRecord,
  EndState,
  FailingHost,
  FaultHits,
  FaultStep,
  FaultTargets,
  FleetCommand,
  FleetEvent,
  FleetInit,
  FleetStats,
  HostBehaviour,
  HostSpec,
} from './protocol.js';

const ENTRY = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));

/** What the fleet streams to the run. */
export interface FleetListener {
  onEnrolled(host: number, deviceId: string, started: number, finished: number): void;
  onEnrollFailed(host: number, code: string): void;
  onAck(ack: AckRecord): void;
}

type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;
type CommandBody = Distributive<FleetCommand>;

interface Member {
  readonly child: ChildProcess;
  readonly hosts: number;
  stats: FleetStats | undefined;
  /** Stats at the start of the current CPU-rate window, and the last rate (cores busy). */
  rateFrom: FleetStats | undefined;
  cpuCores: number;
  readonly pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  exited: boolean;
}

export class Fleet {
  private readonly members: Member[] = [];
  private nextId = 1;

  private constructor(private readonly listener: FleetListener) {}

  /** Forks `processes` fleet processes and hands each its hosts (nothing connects yet). */
  static async start(
    options: { hosts: readonly HostSpec[]; packages: Record<string, OnboardingPackage>; behaviour: HostBehaviour; processes: number },
    listener: FleetListener,
  ): Promise<Fleet> {
    const fleet = new Fleet(listener);
    const count = Math.max(1, Math.min(options.processes, options.hosts.length || 1));
    for (let p = 0; p < count; p++) {
      const hosts = options.hosts.filter((_, i) => i % count === p);
      const child = fork(ENTRY, [], {
        // ATTACHE_SIM_FLEET_NODE_ARGS: extra node flags for the fleet processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
        execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.ATTACHE_SIM_FLEET_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const member: Member = { child, hosts: hosts.length, stats: undefined, rateFrom: undefined, cpuCores: 0, pending: new Map(), exited: false };
      child.on('message', (event: FleetEvent) => fleet.receive(member, event));
      child.on('exit', (code, signal) => {
        member.exited = true;
        for (const { reject } of member.pending.values()) reject(new Error(`fleet process exited (${signal ?? code})`));
        member.pending.clear();
      });
      const init: FleetInit = { type: 'init', hosts, packages: options.packages, behaviour: options.behaviour };
      child.send(init);
      fleet.members.push(member);
    }
    return fleet;
  }

  get processes(): number {
    return this.members.length;
  }

  /** Process ids of the fleet processes (for resource sampling). */
  get pids(): number[] {
    return this.members.flatMap((m) => (m.child.pid ? [m.child.pid] : []));
  }

  /** Sends a command to every process and waits for all answers, in process order. */
  async broadcast<T>(body: CommandBody, perProcess?: (hosts: number) => CommandBody): Promise<T[]> {
    return Promise.all(this.members.map((m) => this.request<T>(m, perProcess ? perProcess(m.hosts) : body)));
  }

  enroll(totalConcurrency: number): Promise<unknown[]> {
    const total = this.members.reduce((n, m) => n + m.hosts, 0) || 1;
    return this.broadcast({ type: 'enroll', concurrency: 1 }, (hosts) => ({
      type: 'enroll',
      concurrency: Math.max(1, Math.round((totalConcurrency * hosts) / total)),
    }));
  }

  /** Starts the enrolled hosts' agents, spread to `perSecond` over the fleet (0: all at once). */
  startAgents(perSecond: number): Promise<unknown[]> {
    const total = this.members.reduce((n, m) => n + m.hosts, 0) || 1;
    return this.broadcast({ type: 'start', perSecond: 0 }, (hosts) => ({
      type: 'start',
      perSecond: perSecond > 0 ? Math.max(1, (perSecond * hosts) / total) : 0,
    }));
  }

  /** Applies a fault step to its target hosts; resolves with the hosts it touched at once, sorted. */
  async fault(step: FaultStep, stepIndex: number, targets: FaultTargets): Promise<number[]> {
    const touched = await this.broadcast<number[]>({ type: 'fault', step, stepIndex, targets });
    return touched.flat().sort((a, b) => a - b);
  }

  /** Per timeline step, the hosts its fault touched so far, over every process. */
  async faultHits(): Promise<Map<number, number[]>> {
    const merged = new Map<number, number[]>();
    for (const hits of await this.broadcast<FaultHits>({ type: 'faultHits' })) {
      for (const [step, hosts] of Object.entries(hits))
        merged.set(
          Number(step),
          [...(merged.get(Number(step)) ?? []), ...hosts].sort((a, b) => a - b),
        );
    }
    return merged;
  }

  /** The agents' end state over every process: hosts per (setting, state) and the failing hosts (by host index). */
  async endState(settings: readonly string[]): Promise<EndState> {
    const settingStates: Record<string, Record<string, number>> = {};
    const failing: FailingHost[] = [];
    for (const part of await this.broadcast<EndState>({ type: 'endState', settings })) {
      for (const [id, states] of Object.entries(part.settingStates)) {
        const into = settingStates[id] ?? {};
        for (const [state, n] of Object.entries(states)) into[state] = (into[state] ?? 0) + n;
        settingStates[id] = into;
      }
      failing.push(...part.failing);
    }
    return { settingStates, failing: failing.sort((a, b) => a.host - b.host) };
  }

  /** Counters summed over the processes, as last streamed. */
  stats(): FleetStats {
    const sum: { -readonly [K in keyof FleetStats]: FleetStats[K] } = {
      hosts: 0,
      enrolled: 0,
      connected: 0,
      checkins: 0,
      notModified: 0,
      syncs: 0,
      reportsQueued: 0,
      reportsAcked: 0,
      unacked: 0,
      pushConnects: 0,
      pushDisconnects: 0,
      alertsAcked: 0,
      alertsDuplicate: 0,
      errors: {},
      errorSamples: {},
      rss: 0,
      cpuMicros: 0,
      at: 0,
    };
    const errors: Record<string, number> = {};
    let samples: Record<string, string> = {};
    for (const m of this.members) {
      const s = m.stats;
      if (!s) continue;
      for (const key of Object.keys(sum) as (keyof FleetStats)[]) {
        if (key !== 'errors' && key !== 'errorSamples' && key !== 'at') (sum[key] as number) += s[key];
      }
      for (const [code, n] of Object.entries(s.errors)) errors[code] = (errors[code] ?? 0) + n;
      samples = { ...s.errorSamples, ...samples };
    }
    sum.errors = errors;
    sum.errorSamples = samples;
    return sum;
  }

  /** CPU the fleet processes use now, in percent of one core (each process's rate over its last second). */
  cpuPercent(): number {
    return this.members.reduce((n, m) => n + m.cpuCores, 0) * 100;
  }

  async stop(): Promise<void> {
    const live = this.members.filter((m) => !m.exited);
    await Promise.race([Promise.allSettled(live.map((m) => this.request(m, { type: 'stop' }))), sleep(systemClock, 15_000)]);
    // Closing the channel lets a process exit on its own (writing a --cpu-prof profile); one that does not is killed.
    for (const m of live) if (!m.exited && m.child.connected) m.child.disconnect();
    await Promise.race([Promise.all(live.map((m) => (m.exited ? undefined : new Promise((res) => m.child.once('exit', res))))), sleep(systemClock, 5_000)]);
    for (const m of live) {
      if (!m.exited) m.child.kill('SIGKILL');
    }
  }

  private request<T>(member: Member, body: CommandBody): Promise<T> {
    if (member.exited || !member.child.connected) return Promise.reject(new Error('fleet process is gone'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      member.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      member.child.send({ ...body, id } as FleetCommand);
    });
  }

  private receive(member: Member, event: FleetEvent): void {
    if (event.type === 'reply') {
      const waiter = member.pending.get(event.id);
      member.pending.delete(event.id);
      if (event.error) waiter?.reject(new Error(`fleet process: ${event.error}`));
      else waiter?.resolve(event.result);
      return;
    }
    member.stats = event.stats;
    // Rates from the process's own timestamps: a batch that arrives late must not look like a burst of CPU.
    const from = member.rateFrom;
    if (!from) member.rateFrom = event.stats;
    else if (event.stats.at - from.at >= 1000) {
      member.cpuCores = (event.stats.cpuMicros - from.cpuMicros) / 1000 / (event.stats.at - from.at);
      member.rateFrom = event.stats;
    }
    for (const [host, deviceId, started, finished] of event.enrolled) this.listener.onEnrolled(host, deviceId, started, finished);
    for (const [host, code] of event.enrollFailed) this.listener.onEnrollFailed(host, code);
    for (const ack of event.acks) this.listener.onAck(ack);
  }
}
