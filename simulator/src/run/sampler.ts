// Once a second: the fleet's counters, the endpoint's memory and CPU, and the convergence backlog, as one timeline
// point (rates over the last second). Feeds the progress bar, the timeline chart and the endpoint summary.
import { systemClock, type TimerHandle } from '../../../common/clock.js';
import type { EndpointHandle } from '../endpoint/endpoint-process.js';
import type { ProcUsage } from '../endpoint/proc-usage.js';
import type { Fleet } from '../fleet/fleet.js';
import type { ChangeTracker } from './changes.js';
import type { TimelinePoint } from './results.js';

const PERIOD_MS = 1_000;
const MB = 1024 * 1024;

export class Sampler {
  readonly points: TimelinePoint[] = [];
  private timer: TimerHandle | undefined;
  private previous: { t: number; checkins: number; acked: number; endpoint?: ProcUsage; endpointPid?: number } | undefined;
  private endpointPeakRss = 0;
  private endpointCpuMicros = 0;
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

  endpointSummary(): { peakRssMb?: number; finalRssMb?: number; cpuSeconds?: number; meanCpuPercent?: number } {
    const withRss = this.points.filter((p) => p.endpointRssMb !== undefined);
    if (withRss.length === 0) return {};
    const span = (this.points.at(-1)?.t ?? 0) - (this.firstT ?? 0);
    return {
      peakRssMb: this.endpointPeakRss / MB,
      finalRssMb: withRss.at(-1)?.endpointRssMb ?? 0,
      cpuSeconds: this.endpointCpuMicros / 1e6,
      ...(span > 0 ? { meanCpuPercent: (this.endpointCpuMicros / 1e6 / span) * 100 } : {}),
    };
  }

  fleetPeakRssMb(): number {
    return this.fleetPeakRss / MB;
  }

  private sample(): TimelinePoint {
    const { fleet, endpoint, tracker } = this.deps;
    const t = systemClock.now();
    const stats = fleet.stats();
    const usage = endpoint.usage();
    const pid = endpoint.pid;
    const prev = this.previous;
    const seconds = prev ? (t - prev.t) / 1000 : 1;
    // CPU of a restarted endpoint starts from zero again: count only deltas within one process.
    const endpointCpuDelta = usage && prev?.endpoint && prev.endpointPid === pid ? usage.cpuMicros - prev.endpoint.cpuMicros : undefined;
    if (endpointCpuDelta !== undefined) this.endpointCpuMicros += endpointCpuDelta;
    if (usage) this.endpointPeakRss = Math.max(this.endpointPeakRss, usage.rssBytes);
    this.fleetPeakRss = Math.max(this.fleetPeakRss, stats.rss);
    const point: TimelinePoint = {
      t: (t - this.deps.start) / 1000,
      enrolled: stats.enrolled,
      connected: stats.connected,
      checkinsPerSecond: prev ? (stats.checkins - prev.checkins) / seconds : 0,
      reportsPerSecond: prev ? (stats.reportsAcked - prev.acked) / seconds : 0,
      pending: tracker.pending,
      unacked: stats.unacked,
      ...(usage ? { endpointRssMb: usage.rssBytes / MB } : {}),
      ...(endpointCpuDelta !== undefined ? { endpointCpuPercent: (endpointCpuDelta / 1e6 / seconds) * 100 } : {}),
      fleetCpuPercent: fleet.cpuPercent(),
    };
    this.firstT ??= point.t;
    this.previous = {
      t,
      checkins: stats.checkins,
      acked: stats.reportsAcked,
      ...(usage ? { endpoint: usage } : {}),
      ...(pid ? { endpointPid: pid } : {}),
    };
    this.points.push(point);
    return point;
  }
}
