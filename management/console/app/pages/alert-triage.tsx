// The alert row controls of the device page (issue 17 §5): resolve or reopen, classify with Defender's determination,
// assign, comment and suppress (this device or, for unscoped admins, every device, with an optional expiry). Alert
// text comes from the device and admin comments from other admins: rendered as text only.
import { useState } from 'preact/hooks';
import { DETERMINATIONS } from '../../../../policy-schemas/src/triage-rules.js';
import { api } from '../api.js';
import type { Abilities } from '../session.js';
import type { DeviceAlerts } from '../types.js';
import { announce, ErrorText, formatTime } from '../ui.js';

type DeviceAlert = DeviceAlerts['alerts'][number];
type Classification = keyof typeof DETERMINATIONS;

const alertPath = (deviceId: string, alertId: string) => `/v1/admin/devices/${encodeURIComponent(deviceId)}/alerts/${encodeURIComponent(alertId)}`;

/** What each effect means for the risk level, in words. */
const EFFECT: Readonly<Record<DeviceAlert['effect'], string>> = {
  active: 'counts toward risk',
  resolvedByAgent: 'resolved by the agent',
  resolvedByAdmin: 'resolved by an admin',
  suppressed: 'suppressed',
};

/** One alert's triage controls; `onChanged` reloads the page's alerts and compliance (both moved at once). */
export function AlertTriageControls(props: { deviceId: string; alert: DeviceAlert; can: Abilities; onChanged: () => void }) {
  const { deviceId, alert, can } = props;
  const t = alert.triage;
  const [classification, setClassification] = useState<string>(t?.classification ?? '');
  const [determination, setDetermination] = useState<string>(t?.determination ?? '');
  const [assignee, setAssignee] = useState<string>(t?.assignedTo ?? '');
  const [comment, setComment] = useState('');
  const [scope, setScope] = useState<'device' | 'organization'>('device');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const id = `triage-${alert.alertId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  const run = async (what: string, call: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
      announce(`${what}: ${alert.title}`);
      setComment('');
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const patch = (what: string, body: Record<string, unknown>) => run(what, () => api('PATCH', alertPath(deviceId, alert.alertId), body));
  const resolved = t?.status === 'resolved';
  const choices: readonly string[] = classification ? DETERMINATIONS[classification as Classification] : [];

  if (!can.triageAlerts && !can.suppressAlerts) return <span class="muted">{EFFECT[alert.effect]}</span>;
  return (
    <details class="triage">
      <summary>
        Triage{' '}
        <span class="muted">
          ({EFFECT[alert.effect]}
          {t?.assignedTo ? `, assigned to ${t.assignedTo}` : ''})
        </span>
      </summary>
      {can.triageAlerts && (
        <div class="triage-controls">
          <button type="button" disabled={busy} onClick={() => patch(resolved ? 'Reopened' : 'Resolved', { status: resolved ? 'new' : 'resolved' })}>
            {resolved ? 'Reopen' : 'Resolve'}
          </button>{' '}
          <label for={`${id}-class`}>Classification</label>{' '}
          <select
            id={`${id}-class`}
            value={classification}
            onChange={(e) => {
              setClassification(e.currentTarget.value);
              setDetermination('');
            }}
          >
            <option value="">none</option>
            {Object.keys(DETERMINATIONS).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>{' '}
          <label for={`${id}-det`}>Determination</label>{' '}
          <select id={`${id}-det`} value={determination} onChange={(e) => setDetermination(e.currentTarget.value)} disabled={!classification}>
            <option value="">none</option>
            {choices.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>{' '}
          <button
            type="button"
            disabled={busy}
            onClick={() => patch('Classified', { classification: classification || null, determination: determination || null })}
          >
            Classify
          </button>
          <br />
          <label for={`${id}-who`}>Assigned to</label>{' '}
          <input id={`${id}-who`} value={assignee} maxLength={200} onInput={(e) => setAssignee(e.currentTarget.value)} />{' '}
          <button type="button" disabled={busy} onClick={() => patch('Assigned', { assignedTo: assignee.trim() || null })}>
            Assign
          </button>
          <br />
          <label for={`${id}-comment`}>Comment</label>{' '}
          <input id={`${id}-comment`} value={comment} maxLength={1000} onInput={(e) => setComment(e.currentTarget.value)} />{' '}
          <button type="button" disabled={busy || comment.trim() === ''} onClick={() => patch('Commented', { comment })}>
            Comment
          </button>
        </div>
      )}
      {can.suppressAlerts && (
        <fieldset class="triage-suppress">
          <legend>Suppress this alert</legend>
          <label>
            <input type="radio" name={`${id}-scope`} checked={scope === 'device'} onChange={() => setScope('device')} /> on this device
          </label>{' '}
          {can.scopeGroupIds === null && (
            <label>
              <input type="radio" name={`${id}-scope`} checked={scope === 'organization'} onChange={() => setScope('organization')} /> on every device
            </label>
          )}{' '}
          <label for={`${id}-expires`}>until (optional)</label>{' '}
          <input id={`${id}-expires`} type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />{' '}
          <button
            type="button"
            disabled={busy || comment.trim() === ''}
            title="Uses the comment above as the reason"
            onClick={() =>
              run('Suppressed', () =>
                api('POST', '/v1/admin/suppression-rules', {
                  scope,
                  ...(scope === 'device' ? { deviceId } : {}),
                  alertId: alert.alertId,
                  comment,
                  ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
                }),
              )
            }
          >
            Suppress
          </button>
          {alert.suppressedBy && <p class="muted">Suppressed by rule {alert.suppressedBy}.</p>}
        </fieldset>
      )}
      {t?.resolvedAt && (
        <p class="muted">
          Resolved {formatTime(t.resolvedAt)} by {t.resolvedBy}
        </p>
      )}
      <ErrorText error={error} />
    </details>
  );
}
