// Once a second: the fleet's counters, the endpoint's memory and CPU (each replica's, when there are several) and the
// convergence backlog, as one timeline point (rates over the last second). Feeds the progress bar, the timeline chart
// and the endpoint summary.
import { systemClock, type TimerHandle } from '../../../common/clock.js';
import type { EndpointHandle } from '../endpoint/endpoint-process.js';
import type { ProcUsage } from '../endpoint/proc-usage.js';
import type { Fleet } from '../fleet/fleet.js';
import type { ChangeTracker } from './changes.js';
import type { ProcessSummary, TimelinePoint } from './results.js';

const PERIOD_MS = 1_000;
const MB = 1024 * 1024;

/** One endpoint process's running totals (a replica, or the single endpoint). */
interface ProcessTrack {
  previous?: { pid: number | undefined; usage: ProcUsage };
  cpuMicros: number;
  peakRss: number;
  finalRss?: number;
}

export class Sampler {
  readonly points: TimelinePoint[] = [];
  private timer: TimerHandle | undefined;
  private previous: { t: number; checkins: number; acked: number } | undefined;
  private readonly tracks: ProcessTrack[] = [];
  private endpointPeakRss = 0;
  private fleetPeakRss = 0;
  private firstT: number | undefined;

  constructor(private readonly deps: { readonly fleet: Fleet; readonly endpoint: EndpointHandle; readonly tracker: ChangeTracker; readonly start: number }) {}

  start(onPoint: (point: TimelinePoint) => void): void {
    this.timer = systemClock.every(PERIOD_MS, () => onPoint(this.sample()));
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  endpointSummary(): ProcessSummary & { replicas?: ProcessSummary[] } {
    const withRss = this.points.filter((p) => p.endpointRssMb !== undefined);
    if (withRss.length === 0) return {};
    const span = (this.points.at(-1)?.t ?? 0) - (this.firstT ?? 0);
    const summary = (cpuMicros: number, peakRss: number, finalRssMb: number | undefined): ProcessSummary => ({
      peakRssMb: peakRss / MB,
      ...(finalRssMb === undefined ? {} : { finalRssMb }),
      cpuSeconds: cpuMicros / 1e6,
      ...(span > 0 ? { meanCpuPercent: (cpuMicros / 1e6 / span) * 100 } : {}),
    });
    const cpu = this.tracks.reduce((n, t) => n + t.cpuMicros, 0);
    return {
      ...summary(cpu, this.endpointPeakRss, withRss.at(-1)?.endpointRssMb ?? 0),
      ...(this.tracks.length > 1
        ? { replicas: this.tracks.map((t) => summary(t.cpuMicros, t.peakRss, t.finalRss === undefined ? undefined : t.finalRss / MB)) }
        : {}),
    };
  }

  fleetPeakRssMb(): number {
    return this.fleetPeakRss / MB;
  }

  /** CPU used since the last sample by each endpoint process (a restarted one starts from zero: only deltas within one pid). */
  private sampleEndpoint(): { rss?: number; cpuDelta?: number } {
    const { endpoint } = this.deps;
    const processes = endpoint.replicas?.() ?? [{ pid: endpoint.pid, usage: endpoint.usage() }];
    let rss: number | undefined;
    let cpuDelta: number | undefined;
    for (const [i, { pid, usage }] of processes.entries()) {
      const track = this.tracks[i] ?? { cpuMicros: 0, peakRss: 0 };
      this.tracks[i] = track;
      const prev = track.previous;
      if (usage && prev && prev.pid === pid) {
        const delta = usage.cpuMicros - prev.usage.cpuMicros;
        track.cpuMicros += delta;
        cpuDelta = (cpuDelta ?? 0) + delta;
      }
      if (usage) {
        track.peakRss = Math.max(track.peakRss, usage.rssBytes);
        rss = (rss ?? 0) + usage.rssBytes;
        track.previous = { pid, usage };
      } else delete track.previous;
      track.finalRss = usage?.rssBytes;
    }
    return { ...(rss === undefined ? {} : { rss }), ...(cpuDelta === undefined ? {} : { cpuDelta }) };
  }

  private sample(): TimelinePoint {
    const { fleet, tracker } = this.deps;
    const t = systemClock.now();
    const stats = fleet.stats();
    const endpoint = this.sampleEndpoint();
    const prev = this.previous;
    const seconds = prev ? (t - prev.t) / 1000 : 1;
    if (endpoint.rss !== undefined) this.endpointPeakRss = Math.max(this.endpointPeakRss, endpoint.rss);
    this.fleetPeakRss = Math.max(this.fleetPeakRss, stats.rss);
    const point: TimelinePoint = {
      t: (t - this.deps.start) / 1000,
      enrolled: stats.enrolled,
      connected: stats.connected,
      checkinsPerSecond: prev ? (stats.checkins - prev.checkins) / seconds : 0,
      reportsPerSecond: prev ? (stats.reportsAcked - prev.acked) / seconds : 0,
      pending: tracker.pending,
      unacked: stats.unacked,
      ...(endpoint.rss !== undefined ? { endpointRssMb: endpoint.rss / MB } : {}),
      ...(endpoint.cpuDelta !== undefined && prev ? { endpointCpuPercent: (endpoint.cpuDelta / 1e6 / seconds) * 100 } : {}),
      fleetCpuPercent: fleet.cpuPercent(),
    };
    this.firstT ??= point.t;
    this.previous = { t, checkins: stats.checkins, acked: stats.reportsAcked };
    this.points.push(point);
    return point;
  }
}
