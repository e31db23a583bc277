// The self-contained HTML report of a run: verdict, expectations, headline numbers, the timeline of changes and of
// injected faults (with the hosts each touched), failing hosts, errors by code, and the charts as inline SVG. No script, no external file: it can be mailed or attached to a CI run.
import { htmlText as esc } from '../../../common/terminal-text.js';
import type { RunOutput } from '../run/runner.js';
import { actionRows } from './action-rows.js';
import type { Chart } from './chart.js';
import { renderSvg } from './svg.js';

const n = (v: number | undefined, digits = 0) => (v === undefined ? 'n/a' : v.toFixed(digits));

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

export function renderHtml(output: RunOutput, charts: readonly Chart[]): string {
  const r = output.results;
  const p = r.pushToApplied;
  const verdict = r.passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
  const headline = table(
    ['measure', 'value'],
    [
      ['hosts', `${r.scenario.hosts} (${esc(r.scenario.composition)}) in ${r.fleet.processes} processes`],
      ['enrollments', `${r.enrollment.enrolled} ok, ${r.enrollment.failed} failed, ${n(r.enrollment.perSecond, 1)}/s`],
      [
        'check-ins',
        `${r.checkins.total} (${r.checkins.notModified} not modified)${r.checkins.perSecond === undefined ? '' : `, burst ${n(r.checkins.perSecond)}/s`}`,
      ],
      ['push → applied', `p50 ${n(p.p50)} ms, p95 ${n(p.p95)} ms, p99 ${n(p.p99)} ms, max ${n(p.max)} ms (${p.count} samples)`],
      ['reports', `${r.reports.queued} queued, ${r.reports.acked} acknowledged, ${r.reports.lost} unacknowledged, ${r.reports.duplicates} duplicates`],
      ['push channel', `${r.push.connectedAtEnd} connected at the end, ${r.push.connects} connects`],
      ...(r.compliance
        ? [
            [
              'compliance',
              esc(
                `${Object.entries(r.compliance.states)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}; risk ${Object.entries(r.compliance.riskLevels)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}; ${r.alerts.acked} alert reports acknowledged`,
              ),
            ],
          ]
        : []),
      ...(r.actions ? actionRows(r.actions).map(([label, text]) => [esc(label), esc(text)]) : []),
      [
        'endpoint',
        r.endpoint.peakRssMb === undefined
          ? 'not measured'
          : `RSS peak ${n(r.endpoint.peakRssMb)} MB, CPU ${n(r.endpoint.cpuSeconds, 1)} s (mean ${n(r.endpoint.meanCpuPercent)} % of a core)`,
      ],
      [
        'fleet',
        `${n((r.fleet.bytesPerHost ?? 0) / 1024)} KB per host (heap ${n((r.fleet.heapBytesPerHost ?? 0) / 1024)} KB)${
          r.fleet.idleCpuPercentPerHost === undefined ? '' : `, idle CPU ${n(r.fleet.idleCpuPercentPerHost, 4)} % of a core per host`
        }`,
      ],
      ['machine', esc(`${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, ${r.machine.os}, Node ${r.machine.node}`)],
    ],
  );
  const expectations = table(
    ['', 'expectation', 'detail'],
    [
      ...r.expectations.map((e) => [e.passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>', esc(e.expectation), esc(e.detail)]),
      ...r.problems.map((problem) => ['<span class="fail">FAIL</span>', 'run', esc(problem)]),
    ],
  );
  const changes = table(
    ['at', 'change', 'applied', 'p50 ms', 'p99 ms', 'max ms'],
    r.changes.map((c) => [`t+${c.at.toFixed(1)} s`, esc(c.label), `${c.applied}/${c.targets}`, n(c.latencyMs.p50), n(c.latencyMs.p99), n(c.latencyMs.max)]),
  );
  const errors = Object.entries(r.errors).sort(([, a], [, b]) => b - a);
  const errorTable =
    errors.length === 0
      ? '<p>none</p>'
      : table(
          ['code', 'count', 'example'],
          errors.map(([code, count]) => [esc(code), String(count), esc(r.errorSamples[code] ?? '')]),
        );
  const faults =
    r.faults.length === 0
      ? '<p>no fault injected</p>'
      : table(
          ['at', 'step', 'fault', 'aimed at', 'touched', 'hosts touched'],
          r.faults.map((f) => [
            `t+${f.at.toFixed(1)} s`,
            String(f.step),
            esc(`${f.action}${f.note ? ` (${f.note})` : ''}`),
            f.action === 'restartEndpoint' || f.action === 'killReplica' ? 'endpoint' : String(f.targeted),
            f.fired ? String(f.hosts.length) : `<span class="${f.problem ? 'fail' : ''}">never fired${f.problem ? '' : ' (allowed)'}</span>`,
            `<small>${esc(f.deviceIds.slice(0, 20).join(', '))}${f.deviceIds.length > 20 ? ` … ${f.deviceIds.length - 20} more` : ''}</small>`,
          ]),
        );
  const failing =
    r.failingHosts.length === 0
      ? "<p>none: every agent's last sync succeeded</p>"
      : `${table(
          ['host', 'device id', 'platform', 'last error', 'last report'],
          r.failingHosts.map((h) => [
            String(h.host),
            esc(h.deviceId ?? 'not enrolled'),
            esc(h.platform),
            esc(`${h.lastError.code}: ${h.lastError.message}`),
            h.lastReportAt === undefined ? 'never' : esc(new Date(h.lastReportAt).toISOString()),
          ]),
        )}${r.failingHostCount > r.failingHosts.length ? `<p>… and ${r.failingHostCount - r.failingHosts.length} more</p>` : ''}`;
  const phases = r.phases.map((ph) => `${esc(ph.name)} ${ph.start.toFixed(1)}–${ph.end.toFixed(1)} s`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Attaché simulator: ${esc(r.scenario.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}svg{display:block;margin:8px 0 20px}small{color:#666}
</style></head><body>
<h1>${esc(r.scenario.name)} ${verdict}</h1>
<p><small>${esc(r.scenario.source)} · seed ${r.scenario.seed} · started ${esc(r.startedAt)} · ${r.durationSeconds.toFixed(0)} s<br>${phases}</small></p>
<h2>Expectations</h2>${expectations}
<h2>Measurements</h2>${headline}
<h2>Timeline: changes</h2>${changes}
<h2>Timeline: injected faults</h2>${faults}
<h2>Failing hosts (${r.failingHostCount})</h2>${failing}
<h2>Errors by code</h2>${errorTable}
<h2>Charts</h2>
${charts.map(renderSvg).join('\n')}
</body></html>
`;
}
