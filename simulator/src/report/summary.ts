// The final summary printed on the terminal: throughput, push-to-applied percentiles, errors by code, resources, and
// one PASS/FAIL line per expectation.
import { terminalCell as cell, terminalText } from '../../../common/terminal-text.js';
import type { RunResults } from '../run/results.js';
import { actionRows } from './action-rows.js';

const fmt = (n: number | undefined, digits = 0, unit = '') => (n === undefined ? 'n/a' : `${n.toFixed(digits)}${unit}`);

export function renderSummary(r: RunResults): string {
  const lines: string[] = [];
  const p = r.pushToApplied;
  lines.push(
    `scenario ${cell(r.scenario.name)}: ${r.scenario.hosts} hosts (${cell(r.scenario.composition)}), ${r.durationSeconds.toFixed(0)} s, seed ${r.scenario.seed}`,
  );
  lines.push(`  enrollments    ${r.enrollment.enrolled} ok, ${r.enrollment.failed} failed, ${fmt(r.enrollment.perSecond, 1)}/s`);
  const burst = r.checkins.perSecond === undefined ? '' : `, burst ${fmt(r.checkins.perSecond, 0)}/s`;
  lines.push(`  check-ins      ${r.checkins.total} (${r.checkins.notModified} not modified)${burst}`);
  lines.push(
    `  push→applied   p50 ${fmt(p.p50, 0, ' ms')}  p95 ${fmt(p.p95, 0, ' ms')}  p99 ${fmt(p.p99, 0, ' ms')}  max ${fmt(p.max, 0, ' ms')}  (${p.count} samples)`,
  );
  for (const c of r.changes) {
    lines.push(`    t+${c.at.toFixed(1)}s ${cell(c.label)}: ${c.applied}/${c.targets} applied, p99 ${fmt(c.latencyMs.p99, 0, ' ms')}`);
  }
  lines.push(
    `  reports        ${r.reports.queued} queued, ${r.reports.acked} acknowledged, ${r.reports.lost} unacknowledged, ${r.reports.duplicates} duplicates`,
  );
  for (const f of r.faults) {
    const touched =
      f.action === 'restartEndpoint' || f.action === 'killReplica' ? 'endpoint' : f.fired ? `${f.hosts.length}/${f.targeted} hosts touched` : 'NEVER FIRED';
    lines.push(`    t+${f.at.toFixed(1)}s fault ${f.action}${f.note ? ` (${cell(f.note)})` : ''}: ${touched}`);
  }
  if (r.failingHostCount > 0) {
    lines.push(`  failing hosts  ${r.failingHostCount}`);
    for (const h of r.failingHosts.slice(0, 5))
      lines.push(`    host ${h.host} ${cell(h.deviceId ?? '')} (${h.platform}): ${cell(h.lastError.code)} ${cell(h.lastError.message)}`);
  }
  const errors = Object.entries(r.errors).sort(([, a], [, b]) => b - a);
  lines.push(`  errors         ${errors.length === 0 ? 'none' : errors.map(([code, n]) => `${cell(code)} ×${n}`).join(', ')}`);
  for (const [code] of errors) lines.push(`    ${cell(code)}: e.g. ${cell(r.errorSamples[code] ?? '')}`);
  const events = Object.entries(r.events);
  if (events.length > 0) lines.push(`  events         ${events.map(([type, n]) => `${cell(type)} ×${n}`).join(', ')}`);
  lines.push(
    `  push           ${r.push.connectedAtEnd} connected at the end${r.push.connectedAtEndpoint === undefined ? '' : ` (${r.push.connectedAtEndpoint} per the endpoint)`}, ${r.push.connects} connects`,
  );
  const fmtCounts = (c: Readonly<Record<string, number>>) =>
    Object.entries(c)
      .map(([k, n]) => `${cell(k)} ${n}`)
      .join(', ') || 'none';
  if (r.compliance) {
    lines.push(`  compliance     ${fmtCounts(r.compliance.states)}; risk ${fmtCounts(r.compliance.riskLevels)}; ${r.alerts.acked} alert reports acknowledged`);
  }
  const snapshots = [...(r.exposureSnapshots ?? []), ...(r.exposure ? [{ label: 'end', atSeconds: r.durationSeconds, counts: r.exposure }] : [])];
  if (r.exposureSnapshots?.length)
    lines.push(
      `  exposure       ${snapshots.map((x) => `${cell(x.label)} (t+${x.atSeconds.toFixed(1)}s): ${fmtCounts(x.counts)}${'compliance' in x && x.compliance ? ` [${fmtCounts(x.compliance)}]` : ''}`).join(' → ')}`,
    );
  for (const [name, t] of Object.entries(r.securityTasks ?? {}))
    lines.push(
      `  task ${cell(name).padEnd(9)} ${cell(t.title)}: ${t.status}${t.completion ? ` (${t.completion})` : ''}, ${t.fixedDeviceCount}/${t.managedDeviceCount} devices fixed`,
    );
  for (const [label, text] of r.actions ? actionRows(r.actions) : []) lines.push(`  ${label.padEnd(14)} ${cell(text)}`);
  const e = r.endpoint;
  lines.push(
    e.peakRssMb === undefined
      ? '  endpoint       not measured'
      : `  endpoint       RSS peak ${fmt(e.peakRssMb, 0, ' MB')}, final ${fmt(e.finalRssMb, 0, ' MB')}; CPU ${fmt(e.cpuSeconds, 1, ' s')} (mean ${fmt(e.meanCpuPercent, 0, ' %')} of a core${e.idleCpuPercent === undefined ? '' : `, idle ${fmt(e.idleCpuPercent, 2, ' %')}`})`,
  );
  for (const [i, p] of (e.replicas ?? []).entries()) {
    lines.push(
      `    replica ${i}    RSS peak ${fmt(p.peakRssMb, 0, ' MB')}, final ${fmt(p.finalRssMb, 0, ' MB')}; CPU ${fmt(p.cpuSeconds, 1, ' s')} (mean ${fmt(p.meanCpuPercent, 0, ' %')} of a core)`,
    );
  }
  const f = r.fleet;
  const idle = f.idleCpuPercentPerHost === undefined ? '' : `, idle CPU ${fmt(f.idleCpuPercentPerHost, 4, ' %')} of a core per host over ${f.idleSeconds} s`;
  lines.push(
    `  fleet          ${f.processes} processes, ${fmt((f.bytesPerHost ?? 0) / 1024, 0, ' KB')} per host (heap ${fmt((f.heapBytesPerHost ?? 0) / 1024, 0, ' KB')})${idle}`,
  );
  for (const problem of r.problems) lines.push(`  PROBLEM ${cell(problem)}`);
  for (const x of r.expectations) lines.push(`  ${x.passed ? 'PASS' : 'FAIL'} ${cell(x.expectation)}: ${cell(x.detail)}`);
  lines.push(
    r.passed
      ? 'RESULT: PASS'
      : `RESULT: FAIL (${cell(
          r.expectations
            .filter((x) => !x.passed)
            .map((x) => x.expectation)
            .concat(r.problems)
            .join('; '),
        )})`,
  );
  return terminalText(lines.join('\n'));
}
