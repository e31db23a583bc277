// The charts of a run as data (title, axes, series), drawn twice: as inline SVG in the HTML report (svg.ts) and as
// PNG for the docs (raster-chart.ts). Axis ticks and scales are computed here once for both.
import type { RunResults } from '../run/results.js';
import type { RunOutput } from '../run/runner.js';
import { niceStep } from '../stats.js';

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly kind: 'line' | 'bars';
  /** [x, y]; for bars x is the bucket start and `barWidth` its width. */
  readonly points: readonly (readonly [number, number])[];
  readonly barWidth?: number;
}

export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Vertical marks (phase starts), at x. */
  readonly marks?: readonly { readonly x: number; readonly label: string }[];
}

export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** An axis from 0 (or the data min when negative) to a rounded max, with about 5 ticks. */
export function axis(values: readonly number[], minimum = 0): Axis {
  const lo = Math.min(minimum, ...values);
  const hi = Math.max(lo + 1e-9, ...values);
  const step = niceStep((hi - lo) / 5);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step / 2 && ticks.length < 20; v += step) ticks.push(Number(v.toPrecision(12)));
  return { min, max, ticks };
}

/** Short tick text: 1500 → 1.5k, 0.25 → 0.25. */
export function tickLabel(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

/** Every chart of a run. */
export function runCharts(output: RunOutput): Chart[] {
  const r = output.results;
  const charts: Chart[] = [];
  const histogram = r.pushToApplied.histogram;
  charts.push({
    id: 'latency',
    title: `Push-to-applied latency, ${r.scenario.hosts} hosts (p50 ${fmt(r.pushToApplied.p50)}, p99 ${fmt(r.pushToApplied.p99)} ms)`,
    xLabel: 'ms from admin change to acknowledged report',
    yLabel: 'host changes',
    series: [
      {
        name: 'count',
        color: COLORS[0] ?? '#000',
        kind: 'bars',
        points: histogram.map((b) => [b.from, b.count] as const),
        barWidth: (histogram[0]?.to ?? 1) - (histogram[0]?.from ?? 0),
      },
    ],
  });
  charts.push({
    id: 'convergence',
    title: 'Convergence of each change',
    xLabel: 'seconds after the admin change',
    yLabel: '% of targeted hosts applied',
    series: output.curves.slice(0, COLORS.length).map((c, i) => ({
      name: `t+${c.at.toFixed(0)}s ${c.label}`,
      color: COLORS[i % COLORS.length] ?? '#000',
      kind: 'line' as const,
      points: convergenceCurve(c.curve, c.targets),
    })),
  });
  const marks = r.phases.filter((p) => p.name !== 'stop').map((p) => ({ x: p.start, label: p.name }));
  charts.push({
    id: 'fleet',
    title: 'Fleet over time',
    xLabel: 'seconds since start',
    yLabel: 'hosts',
    series: [
      { name: 'push connected', color: COLORS[0] ?? '#000', kind: 'line', points: r.timeline.map((p) => [p.t, p.connected] as const) },
      { name: 'changes pending', color: COLORS[1] ?? '#000', kind: 'line', points: r.timeline.map((p) => [p.t, p.pending] as const) },
      { name: 'reports queued', color: COLORS[3] ?? '#000', kind: 'line', points: r.timeline.map((p) => [p.t, p.unacked] as const) },
    ],
    marks,
  });
  charts.push({
    id: 'throughput',
    title: 'Check-ins and reports per second',
    xLabel: 'seconds since start',
    yLabel: 'per second',
    series: [
      { name: 'check-ins/s', color: COLORS[2] ?? '#000', kind: 'line', points: r.timeline.map((p) => [p.t, p.checkinsPerSecond] as const) },
      { name: 'reports/s', color: COLORS[4] ?? '#000', kind: 'line', points: r.timeline.map((p) => [p.t, p.reportsPerSecond] as const) },
    ],
    marks,
  });
  charts.push({
    id: 'cpu',
    title: 'CPU of endpoint and fleet (% of one core)',
    xLabel: 'seconds since start',
    yLabel: '% of one core',
    series: [
      {
        name: 'endpoint',
        color: COLORS[1] ?? '#000',
        kind: 'line',
        points: r.timeline.flatMap((p) => (p.endpointCpuPercent === undefined ? [] : [[p.t, p.endpointCpuPercent] as const])),
      },
      {
        name: 'fleet processes',
        color: COLORS[2] ?? '#000',
        kind: 'line',
        points: r.timeline.flatMap((p) => (p.fleetCpuPercent === undefined ? [] : [[p.t, p.fleetCpuPercent] as const])),
      },
    ],
    marks,
  });
  if (r.timeline.some((p) => p.endpointRssMb !== undefined)) {
    charts.push({
      id: 'memory',
      title: 'Endpoint resident memory',
      xLabel: 'seconds since start',
      yLabel: 'MB',
      series: [
        {
          name: 'endpoint RSS',
          color: COLORS[0] ?? '#000',
          kind: 'line',
          points: r.timeline.flatMap((p) => (p.endpointRssMb === undefined ? [] : [[p.t, p.endpointRssMb] as const])),
        },
      ],
      marks,
    });
  }
  return charts;
}

/** Cumulative share of targets applied (percent) against seconds, from sorted latencies in ms. */
export function convergenceCurve(sortedMs: readonly number[], targets: number): [number, number][] {
  if (targets === 0) return [];
  const points: [number, number][] = [[0, 0]];
  // At most ~200 points: enough for a smooth curve at 10,000 hosts.
  const stride = Math.max(1, Math.floor(sortedMs.length / 200));
  for (let i = 0; i < sortedMs.length; i += stride) points.push([(sortedMs[i] ?? 0) / 1000, ((i + 1) / targets) * 100]);
  const last = sortedMs.at(-1);
  if (last !== undefined) points.push([last / 1000, (sortedMs.length / targets) * 100]);
  return points;
}

function fmt(v: number | undefined): string {
  return v === undefined ? 'n/a' : v.toFixed(0);
}

export type { RunResults };
