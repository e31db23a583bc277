// One policy's status (GET /v1/admin/policies/:id/status): devices by state as a chart, per-setting counts, and the
// devices in each state with links to their device pages (the drill-down).
import { useState } from 'preact/hooks';
import { settingEvidence } from '../../../../policy-schemas/src/setting-evidence.js';
import { api, withQuery } from '../api.js';
import { BarChart } from '../chart.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { PolicySettingDevices, PolicyStatusReport } from '../types.js';
import { Badge, ErrorText, formatTime, Loading } from '../ui.js';

const STATES = ['succeeded', 'error', 'conflict', 'notApplicable', 'pending'] as const;

type SettingDevicesAnswer = PolicySettingDevices;

/** The drill-down: devices with one setting of the policy in one state (GET …/status?setting=&state=, contract 6). */
function SettingDevices({ policyId, setting, state }: { policyId: string; setting: string; state: string }) {
  const list = useLoad(
    () => api<SettingDevicesAnswer>('GET', withQuery(`/v1/admin/policies/${encodeURIComponent(policyId)}/status`, { setting, state, limit: 100 })),
    [policyId, setting, state],
  );
  return (
    <section aria-labelledby="drill-h" aria-live="polite">
      <h3 id="drill-h">
        <code>{setting}</code> {state}
        {list.data ? `: ${list.data.total} device(s)` : ''}
      </h3>
      <ErrorText error={list.error} />
      <ul>
        {list.data?.devices.map((d) => (
          <li key={d.deviceId}>
            <a href={href('devices', d.deviceId)}>{d.hostname}</a> ({d.platform}), reported {formatTime(d.lastReportAt)}
            {d.code ? `: ${settingEvidence(d)}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PolicyStatusPage({ policyId }: { policyId: string }) {
  const report = useLoad(() => api<PolicyStatusReport>('GET', `/v1/admin/policies/${encodeURIComponent(policyId)}/status`), [policyId]);
  const [state, setState] = useState('');
  const [drill, setDrill] = useState<{ setting: string; state: string } | null>(null);
  const r = report.data;
  return (
    <section aria-labelledby="pstatus-h">
      <p>
        <a href={href('policies', policyId)}>← Policy</a>
      </p>
      <h1 id="pstatus-h">Status{r ? ` of ${r.name} (version ${r.latestVersion})` : ''}</h1>
      {report.loading && <Loading what="the policy status" />}
      <ErrorText error={report.error} />
      {r && (
        <>
          <BarChart title="Devices by state" bars={STATES.map((s) => ({ label: s, value: r.counts[s] }))} />
          <h2>Per setting</h2>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Devices per setting and state</caption>
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  {STATES.map((s) => (
                    <th key={s} scope="col">
                      {s}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.settings.map((s) => (
                  <tr key={s.settingId}>
                    <th scope="row">
                      <code>{s.settingId}</code>
                    </th>
                    {STATES.map((st) => (
                      <td key={st}>
                        {s[st] > 0 ? (
                          <button type="button" class="link" onClick={() => setDrill({ setting: s.settingId, state: st })}>
                            {s[st]}
                            <span class="sr-only">
                              {' '}
                              devices with {s.settingId} {st}
                            </span>
                          </button>
                        ) : (
                          0
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {drill && <SettingDevices policyId={policyId} setting={drill.setting} state={drill.state} />}
          <h2>Devices</h2>
          <label for="ps-state">State</label>{' '}
          <select id="ps-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <ul>
            {r.devices
              .filter((d) => !state || d.state === state)
              .map((d) => (
                <li key={d.deviceId}>
                  <a href={href('devices', d.deviceId)}>{d.hostname}</a> <Badge value={d.state} /> version {d.reportedVersion ?? '—'}, reported{' '}
                  {formatTime(d.lastReportAt)}
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
