// Response actions as a table, shared by the action center and a device's history: newest first, Defender's machine
// action fields folded per row, **Cancel** (with its required comment) only where common/action-state.ts says the
// endpoint would accept it, and the investigation package download for roles allowed. Device names, comments and
// results are device- or admin-supplied: text nodes only.
import { useState } from 'preact/hooks';
import { cancelRefusal } from '../../../../common/action-state.js';
import { actionParametersSummary, actionResultSummary, formatBytes } from '../../../../policy-schemas/src/action-summary.js';
import { api } from '../api.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { MachineAction } from '../types.js';
import { announce, Badge, ErrorText, formatTime } from '../ui.js';

/** Each action type as Defender's portal names it (the Record makes a type added to the schema a compile error here). */
export const ACTION_LABELS: Readonly<Record<MachineAction['type'], string>> = {
  isolate: 'Isolate device',
  release: 'Release from isolation',
  runAntivirusScan: 'Run antivirus scan',
  collectInvestigationPackage: 'Collect investigation package',
  stopAndQuarantineFile: 'Stop and quarantine file',
  restoreFromQuarantine: 'Restore file from quarantine',
  offboard: 'Offboard device',
  updateSoftware: 'Update software',
};

export const actionPath = (id: string, sub = '') => `/v1/admin/actions/${encodeURIComponent(id)}${sub}`;

/** Cancel in two steps: the button opens a form asking why (required, as for every action). */
function CancelAction({ action, onDone }: { action: MachineAction; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const id = `cancel-${action.id}`;
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Cancel…
      </button>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', actionPath(action.id, '/cancel'), { comment });
      announce(`${ACTION_LABELS[action.type]} on ${action.deviceName} cancelled.`);
      setOpen(false);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="confirm" onSubmit={submit} aria-label={`Cancel action ${action.id}`}>
      <label for={id}>Why cancel?</label> <input id={id} value={comment} maxLength={1000} required onInput={(e) => setComment(e.currentTarget.value)} />{' '}
      <button type="submit" class="danger" disabled={busy || comment.trim() === ''}>
        Cancel action
      </button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Keep it
      </button>
      <ErrorText error={error} />
    </form>
  );
}

/** Everything else Defender's action panel shows: times, result, error, cancellation, late outcome, package. */
function ActionFacts({ a }: { a: MachineAction }) {
  return (
    <details>
      <summary>Details</summary>
      <dl class="facts">
        <dt>Action id</dt>
        <dd>
          <code>{a.id}</code>
        </dd>
        <dt>Delivered</dt>
        <dd>{a.deliveredAt ? formatTime(a.deliveredAt) : 'not yet'}</dd>
        <dt>Started</dt>
        <dd>{formatTime(a.startedAt)}</dd>
        <dt>Completed</dt>
        <dd>{formatTime(a.completedAt)}</dd>
        <dt>Expires</dt>
        <dd>{formatTime(a.expiresAt)}</dd>
        {a.result && <dt>Result</dt>}
        {a.result && <dd data-testid="action-result">{actionResultSummary(a.type, a.result)}</dd>}
        {a.error && <dt>Error</dt>}
        {a.error && (
          <dd>
            <code>{a.error.code}</code> {a.error.message}
          </dd>
        )}
        {a.cancellation && <dt>Cancelled</dt>}
        {a.cancellation && (
          <dd>
            {formatTime(a.cancellation.at)} by {a.cancellation.requestor.username}: {a.cancellation.comment}
          </dd>
        )}
        {a.lateResult && <dt>Late outcome</dt>}
        {a.lateResult && (
          <dd>
            {a.lateResult.status} {formatTime(a.lateResult.at)} {a.lateResult.result ? actionResultSummary(a.type, a.lateResult.result) : ''}{' '}
            {a.lateResult.error ? `${a.lateResult.error.code}: ${a.lateResult.error.message}` : ''}
          </dd>
        )}
        {a.package && <dt>Package</dt>}
        {a.package && (
          <dd>
            {formatBytes(a.package.receivedBytes)} of {a.package.sizeBytes === null ? 'an unknown size' : formatBytes(a.package.sizeBytes)} received
            {a.package.available ? ', complete' : ''}
          </dd>
        )}
      </dl>
    </details>
  );
}

/** The actions, newest first; `showDevice` adds the device column (the action center), `onChanged` reloads after a cancel. */
export function ActionTable(props: { actions: readonly MachineAction[]; can: Abilities; showDevice: boolean; onChanged: () => void; caption: string }) {
  const { can } = props;
  if (props.actions.length === 0) return <p class="muted">No actions.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="actions">
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            {props.showDevice && <th scope="col">Device</th>}
            <th scope="col">Action</th>
            <th scope="col">Status</th>
            <th scope="col">Requestor</th>
            <th scope="col">Comment</th>
            <th scope="col">Details</th>
            <th scope="col">
              <span class="sr-only">Controls</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.actions.map((a) => (
            <tr key={a.id} data-action={a.id}>
              <td class="nowrap">{formatTime(a.createdAt)}</td>
              {props.showDevice && (
                <td>
                  <a href={href('devices', a.deviceId)}>{a.deviceName}</a>
                </td>
              )}
              <td>
                {ACTION_LABELS[a.type]} <span class="muted">{actionParametersSummary(a.type, a.parameters)}</span>
              </td>
              <td>
                <Badge value={a.status} /> {a.status === 'inProgress' && a.progress !== null ? `${a.progress}%` : ''}
                {a.lateResult ? ` (device: ${a.lateResult.status})` : ''}
              </td>
              <td>{a.requestor.username}</td>
              <td class="pre-line">{a.requestorComment}</td>
              <td class="change">
                <ActionFacts a={a} />
              </td>
              <td>
                {can.cancelActions && cancelRefusal(a.type, a.status) === undefined && <CancelAction action={a} onDone={props.onChanged} />}
                {can.downloadPackages && a.package?.available && (
                  <a href={actionPath(a.id, '/package')} download>
                    Download package
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
