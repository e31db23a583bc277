// One simulator run, phase by phase: endpoint → groups and setup → enrollment → ready → timeline → settle → idle
// measurement → verdicts. Owns the endpoint, the admin client and the fleet, and always releases them.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { sleep, systemClock } from '../../../common/clock.js';
import type { TargetingAssignment } from '../../../management/src/service/targeting.js';
import { AdminApi, type AdminConnection } from '../endpoint/admin-api.js';
import { type EndpointBuild, type EndpointHandle, externalEndpoint, startManagedEndpoint } from '../endpoint/endpoint-process.js';
import { startReplicaSet } from '../endpoint/replica-set.js';
import { Fleet } from '../fleet/fleet.js';
import type { AckRecord, BurstResult, FootprintResult } from '../fleet/protocol.js';
import type { Progress } from '../report/progress.js';
import type { Scenario } from '../scenario/load.js';
import { histogram, summarize } from '../stats.js';
import { ActionTracker } from './actions.js';
import { type ChangeResult, ChangeTracker } from './changes.js';
import { collectEndState } from './end-state.js';
import { evaluateExpectations } from './expectations.js';
import type { FaultRun } from './faults.js';
import { createGroups, fleetHosts, groupMembership, hostBehaviour, onboardingPackages } from './fleet-setup.js';
import { HostSequences, type SequenceEntry } from './host-sequences.js';
import { complianceCounts, exposureCounts, footprint } from './measurements.js';
import type { RunResults } from './results.js';
import { Sampler } from './sampler.js';
import { StepRunner } from './steps.js';

const HOSTS_PER_PROCESS = 4_000;

export interface RunOptions {
  readonly scenario: Scenario;
  readonly outDir: string;
  readonly endpoint:
    | {
        readonly kind: 'managed';
        readonly build: EndpointBuild;
        readonly nodeArgs?: readonly string[];
        /** `sqlite` (default: in the data dir), `postgres` (a scratch cluster) or the URL of an empty PostgreSQL database. */
        readonly database?: string;
        /** Serve processes on the PostgreSQL database; more than one run behind HAProxy (default 1). */
        readonly replicas?: number;
      }
    | { readonly kind: 'external'; readonly connection: AdminConnection };
  readonly processes?: number;
  readonly progress: Progress;
  /** Aborts the run (Ctrl-C): waits end, the fleet and the endpoint are stopped, and runScenario rejects. */
  readonly signal?: AbortSignal;
}

/** The run's results and, for the charts, every change's sorted latencies. */
export interface RunOutput {
  readonly results: RunResults;
  readonly curves: readonly ChangeResult[];
  /** What each host reported, in order, by host index (host-sequences.json). */
  readonly hostSequences?: readonly (readonly SequenceEntry[])[];
}

export async function runScenario(options: RunOptions): Promise<RunOutput> {
  const { scenario, progress } = options;
  const start = systemClock.now();
  const since = () => (systemClock.now() - start) / 1000;
  const phases: { name: string; start: number; end: number }[] = [];
  let phaseName = 'endpoint';
  const phase = (name: string) => {
    const last = phases.at(-1);
    if (last) last.end = since();
    phases.push({ name, start: since(), end: since() });
    phaseName = name;
  };
  phase('endpoint');
  const dataDir = options.endpoint.kind === 'managed' ? await mkdtemp(join(tmpdir(), 'attache-sim-endpoint-')) : undefined;
  let endpoint: EndpointHandle | undefined;
  let admin: AdminApi | undefined;
  let fleet: Fleet | undefined;
  let sampler: Sampler | undefined;
  let stopActions: (() => void) | undefined;
  try {
    endpoint = await startEndpoint(options, dataDir);
    const api = new AdminApi(endpoint.connection);
    admin = api;
    const hosts = fleetHosts(scenario);
    const tracker = new ChangeTracker();
    const sequences = new HostSequences();
    const hostOfDevice = new Map<string, number>();
    const deviceOfHost = new Map<number, string>();
    const enrollment = { first: Number.POSITIVE_INFINITY, last: 0, ok: 0, failed: 0 };
    const acks = { duplicates: 0, events: {} as Record<string, number> };
    const bursts: BurstResult[] = [];
    const problems: string[] = [];

    phase('setup');
    const groupRules = await createGroups(api, scenario);
    const groups = new Map([...groupRules].map(([name, g]) => [name, g.groupId]));
    const membership = groupMembership(scenario, hosts, [...groupRules.values()]);
    const assignments: TargetingAssignment[] = (await api.assignments()).map((a) => ({ policyId: a.policyId, groupId: a.groupId, mode: a.mode }));
    const fleetStats = () => fleet?.stats();
    const aborted = () => {
      if (options.signal?.aborted) throw new Error('run interrupted');
    };
    const interrupted = new Promise<never>((_, reject) =>
      options.signal?.addEventListener('abort', () => reject(new Error('run interrupted')), { once: true }),
    );
    interrupted.catch(() => undefined);
    /** Waits for `work` unless the run is interrupted first (cleanup then happens in `finally`). */
    const untilAborted = <T>(work: Promise<T>): Promise<T> => Promise.race([work, interrupted]);
    const waitUntil = async (done: () => boolean, timeoutMs: number) => {
      const deadline = systemClock.now() + timeoutMs;
      while (!done()) {
        aborted();
        if (systemClock.now() > deadline) return false;
        await sleep(systemClock, 100, options.signal);
      }
      return true;
    };
    const actions = new ActionTracker(api);
    stopActions = () => actions.stop();
    const converged = () => tracker.pending === 0 && (fleetStats()?.unacked ?? 0) === 0 && actions.outstanding === 0;
    const ctx = {
      scenario,
      admin: api,
      endpoint,
      fleet: () => fleet,
      tracker,
      groups,
      membership,
      assignments,
      hostOfDevice,
      deviceOfHost,
      bursts,
      hosts,
      faults: [] as FaultRun[],
      since,
      faultsUntil: 0,
      problems,
      waitConverged: (timeoutMs: number) => waitUntil(converged, timeoutMs),
      actions,
      log: (message: string) => progress.note(`  t+${since().toFixed(1)}s ${message}`),
    };
    const steps = new StepRunner(ctx);
    for (const [i, step] of scenario.setup.entries()) await steps.run(step, -1 - i);
    const packages = await onboardingPackages(api, scenario);

    phase('enroll');
    fleet = await Fleet.start(
      {
        hosts,
        packages,
        behaviour: hostBehaviour(scenario),
        processes: options.processes ?? scenario.fleet.processes ?? Math.max(availableParallelism(), Math.ceil(hosts.length / HOSTS_PER_PROCESS)),
      },
      {
        onEnrolled: (host, deviceId, started, finished) => {
          hostOfDevice.set(deviceId, host);
          deviceOfHost.set(host, deviceId);
          enrollment.ok++;
          enrollment.first = Math.min(enrollment.first, started);
          enrollment.last = Math.max(enrollment.last, finished);
        },
        onEnrollFailed: () => {
          enrollment.failed++;
        },
        onAck: (ack: AckRecord) => {
          tracker.onAck(ack);
          sequences.onAck(ack);
          if (ack.duplicate) acks.duplicates++;
          else for (const [type, n] of Object.entries(ack.events ?? {})) acks.events[type] = (acks.events[type] ?? 0) + n;
        },
      },
    );
    const runningFleet = fleet;
    sampler = new Sampler({ fleet: runningFleet, endpoint, tracker, start });
    sampler.start((point) =>
      progress.update({
        phase: phaseName,
        fraction: phaseName === 'enroll' || phaseName === 'ready' ? point.enrolled / hosts.length : progressFraction(tracker),
        detail: `enrolled ${point.enrolled}/${hosts.length}  push ${point.connected}  pending ${point.pending}  queued ${point.unacked}  ${point.checkinsPerSecond.toFixed(0)} chk/s`,
      }),
    );
    await untilAborted(runningFleet.enroll(scenario.fleet.enrollConcurrency));
    aborted();

    phase('ready');
    await untilAborted(runningFleet.startAgents(scenario.fleet.startPerSecond));
    const ready = await waitUntil(() => {
      const s = runningFleet.stats();
      return s.connected >= s.enrolled && s.syncs >= s.enrolled && s.unacked === 0;
    }, scenario.fleet.readyTimeoutSeconds * 1000);
    if (!ready) {
      const s = runningFleet.stats();
      problems.push(
        `fleet not ready within ${scenario.fleet.readyTimeoutSeconds} s: ${s.enrolled} enrolled, ${s.connected} push-connected, ${s.syncs} syncs, ${s.unacked} reports unacknowledged`,
      );
    }

    phase('timeline');
    const t0 = systemClock.now();
    for (const [i, step] of scenario.timeline.entries()) {
      if (step.at !== undefined) await sleep(systemClock, t0 + step.at * 1000 - systemClock.now(), options.signal);
      aborted();
      ctx.log(`step ${i}: ${step.action}${step.note ? ` (${step.note})` : ''}`);
      await untilAborted(steps.run(step, i));
    }

    phase('settle');
    await sleep(systemClock, ctx.faultsUntil - systemClock.now(), options.signal);
    await untilAborted(endpoint.restarted?.() ?? Promise.resolve()).catch((err: Error) => problems.push(err.message));
    await waitUntil(converged, scenario.settleSeconds * 1000);

    phase('measure');
    const endpointBefore = endpoint.usage();
    const tIdle = systemClock.now();
    const footprints = await untilAborted(runningFleet.broadcast<FootprintResult>({ type: 'measure', idleSeconds: scenario.idleSeconds }));
    const endpointAfter = endpoint.usage();
    const idleMs = systemClock.now() - tIdle;
    const connectedAtEndpoint = (await api.devices().catch(() => [])).filter((d) => d.connected).length;
    const compliance = await complianceCounts(api, hostOfDevice);
    const exposure = await exposureCounts(api, hostOfDevice);
    await actions.finish();
    const actionResults = actions.results();
    const taskResults = await steps.securityTasks.results();
    const { problems: faultProblems, ...end } = await collectEndState({
      scenario,
      fleet: runningFleet,
      admin: api,
      policyIds: steps.policyIds,
      faults: ctx.faults,
      deviceOfHost,
    });
    problems.push(...faultProblems);
    const final = runningFleet.stats();
    sampler.stop();
    phase('stop');
    await runningFleet.stop();
    fleet = undefined;
    const last = phases.at(-1);
    if (last) last.end = since();

    const latencies = tracker.latencies();
    const curves = tracker.results(start);
    const idleCpu =
      endpointBefore && endpointAfter && scenario.idleSeconds > 0 ? ((endpointAfter.cpuMicros - endpointBefore.cpuMicros) / 1000 / idleMs) * 100 : undefined;
    const measured = {
      scenario: {
        name: scenario.name,
        source: scenario.source,
        seed: scenario.seed,
        hosts: hosts.length,
        composition: scenario.fleet.hosts.map((h) => `${h.count} ${h.platform}${h.osType === 'server' ? ' server' : ''}`).join(', '),
      },
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        os: `${type()} ${release()}`,
        node: process.version,
      },
      startedAt: new Date(start).toISOString(),
      durationSeconds: since(),
      phases,
      enrollment: {
        enrolled: enrollment.ok,
        failed: enrollment.failed,
        seconds: enrollment.ok > 0 ? (enrollment.last - enrollment.first) / 1000 : 0,
        perSecond: enrollment.ok > 0 ? enrollment.ok / ((enrollment.last - enrollment.first) / 1000) : 0,
      },
      checkins: {
        total: final.checkins,
        notModified: final.notModified,
        bursts: bursts.map((b) => ({
          checkins: b.checkins,
          failed: b.failed,
          seconds: (b.finished - b.started) / 1000,
          perSecond: b.checkins / ((b.finished - b.started) / 1000),
        })),
        ...(bursts.length > 0 ? { perSecond: Math.max(...bursts.map((b) => b.checkins / ((b.finished - b.started) / 1000))) } : {}),
      },
      pushToApplied: { ...summarize(latencies), histogram: histogram(latencies) },
      changes: curves.map(({ curve: _curve, ...rest }) => rest),
      reports: { queued: final.reportsQueued, acked: final.reportsAcked - acks.duplicates, lost: final.unacked, duplicates: acks.duplicates },
      syncs: final.syncs,
      errors: final.errors,
      errorSamples: final.errorSamples,
      events: acks.events,
      push: { connectedAtEnd: final.connected, connectedAtEndpoint, connects: final.pushConnects, disconnects: final.pushDisconnects },
      endpoint: {
        managed: endpoint.managed,
        ...sampler.endpointSummary(),
        ...(idleCpu === undefined ? {} : { idleCpuPercent: idleCpu }),
      },
      fleet: {
        processes: runningFleet.processes,
        idleSeconds: scenario.idleSeconds,
        peakRssMb: sampler.fleetPeakRssMb(),
        ...footprint(footprints, scenario.idleSeconds),
      },
      ...(compliance ? { compliance } : {}),
      ...(exposure ? { exposure } : {}),
      ...taskResults,
      alerts: { acked: final.alertsAcked, duplicates: final.alertsDuplicate },
      ...(actionResults.created > 0 || Object.keys(actionResults.refused).length > 0 ? { actions: actionResults } : {}),
      timeline: sampler.points,
      ...end,
      problems,
    };
    const expectations = evaluateExpectations(scenario.expectations, measured, {
      latencies,
      pending: tracker.pending,
      stragglers: tracker.stragglers(),
      hosts: hosts.length,
      actions: actions.samples(),
    });
    const passed = problems.length === 0 && expectations.every((e) => e.passed);
    const policyNames = new Map([...steps.policyIds].map(([name, id]) => [id, name]));
    return { results: { ...measured, expectations, passed }, curves, hostSequences: sequences.sequences(policyNames, hosts.length) };
  } finally {
    sampler?.stop();
    stopActions?.();
    await fleet?.stop().catch(() => undefined);
    admin?.close();
    await endpoint?.stop().catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function startEndpoint(options: RunOptions, dataDir: string | undefined): Promise<EndpointHandle> {
  const e = options.endpoint;
  if (e.kind === 'external' || !dataDir) return externalEndpoint((e as { connection: AdminConnection }).connection);
  const nodeArgs = e.nodeArgs ? { nodeArgs: e.nodeArgs } : {};
  const database = e.database ?? 'sqlite';
  if (database === 'sqlite' && (e.replicas ?? 1) === 1) {
    return startManagedEndpoint({ dataDir, build: e.build, logFile: join(options.outDir, 'endpoint.log'), ...nodeArgs });
  }
  if (database === 'sqlite') throw new Error('several endpoint replicas need PostgreSQL (--endpoint-database postgres)');
  return startReplicaSet({
    replicas: e.replicas ?? 1,
    build: e.build,
    logDir: options.outDir,
    ...(database === 'postgres' ? {} : { databaseUrl: database }),
    ...nodeArgs,
  });
}

function progressFraction(tracker: ChangeTracker): number {
  const targeted = tracker.targeted;
  return targeted === 0 ? 1 : (targeted - tracker.pending) / targeted;
}
