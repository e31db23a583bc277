// The result of POST /v1/admin/what-if and the diff against the stored version, shown before a policy is saved.
import type { DiffLine } from '../diff.js';
import type { WhatIfResponse } from '../types.js';
import { formatValue } from '../ui.js';

export function DiffView({ lines }: { lines: readonly DiffLine[] }) {
  if (lines.length === 0) return <p>No change against the current version.</p>;
  return (
    <ul class="diff" aria-label="Changes against the current version">
      {lines.map((l) => (
        <li key={l.field} class={`diff-${l.change}`}>
          <code>{l.field}</code> {l.change}
          {l.change !== 'added' && <> from {formatValue(l.from)}</>}
          {l.change !== 'removed' && <> to {formatValue(l.to)}</>}
        </li>
      ))}
    </ul>
  );
}

export function WhatIfView({ result }: { result: WhatIfResponse }) {
  return (
    <div data-testid="what-if">
      <p>
        <strong>{result.affectedDevices}</strong> device(s) affected.
      </p>
      {result.devices.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">What the change would do per device</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Changes</th>
                <th scope="col">New conflicts</th>
                <th scope="col">Not applicable</th>
              </tr>
            </thead>
            <tbody>
              {result.devices.slice(0, 100).map((d) => (
                <tr key={d.deviceId}>
                  <th scope="row">
                    {d.hostname} <span class="muted">({d.platform})</span>
                  </th>
                  <td>{d.changes.map((c) => `${c.settingId}: ${formatValue(c.from)} → ${formatValue(c.to)}`).join('; ') || '—'}</td>
                  <td>{d.newConflicts.map((c) => `${c.settingId} (${c.reason})`).join('; ') || '—'}</td>
                  <td>{d.notApplicable.map((c) => `${c.settingId} (${c.reason})`).join('; ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
