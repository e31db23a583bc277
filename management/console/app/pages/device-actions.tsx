// The device page's response actions (issue 17): an action bar beside Sync and Revoke (isolate/release, antivirus scan
// quick|full, collect an investigation package, stop and quarantine a file by SHA-256, restore from quarantine,
// offboard, update software), each asking for the required comment and shown only to roles allowed it, and the device's action history. The endpoint checks every
// field; its refusal (400 naming the field, 409 an action of the family already in flight) shows beside the form.
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { MachineAction, MachineActionList } from '../types.js';
import { announce, ErrorText, Loading } from '../ui.js';
import { ACTION_LABELS, ActionTable } from './action-table.js';
import { UpdateSoftwareForm } from './update-software-form.js';

type ActionType = MachineAction['type'];

/** The type's parameter inputs (values by body field) and which ability shows its button. */
const FORMS: readonly { type: ActionType; allowed: (can: Abilities) => boolean; danger?: boolean; note?: string }[] = [
  { type: 'isolate', allowed: (can) => can.isolate, note: 'Only the management endpoint stays reachable until the device is released.' },
  { type: 'release', allowed: (can) => can.isolate },
  { type: 'runAntivirusScan', allowed: (can) => can.scan },
  { type: 'collectInvestigationPackage', allowed: (can) => can.collect },
  { type: 'stopAndQuarantineFile', allowed: (can) => can.quarantine, note: 'Processes running the file are stopped first.' },
  { type: 'restoreFromQuarantine', allowed: (can) => can.restore },
  {
    type: 'offboard',
    allowed: (can) => can.offboard,
    danger: true,
    note: 'The agent restores every pre-management value, deletes its identity and stops; the device must enroll again.',
  },
  // Its own form (update-software-form.tsx): packages chosen among the device's vulnerable software.
  { type: 'updateSoftware', allowed: (can) => can.updateSoftware },
];

/** A choice among fixed values, the first the default. */
function Choice(props: { id: string; label: string; values: readonly string[]; value: string; onChange: (v: string) => void }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>{' '}
      <select id={props.id} value={props.value || props.values[0]} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>{' '}
    </>
  );
}

function TextInput(props: { id: string; label: string; value: string; onInput: (v: string) => void; size?: number; placeholder?: string }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>{' '}
      <input id={props.id} value={props.value} size={props.size} placeholder={props.placeholder} onInput={(e) => props.onInput(e.currentTarget.value)} />{' '}
    </>
  );
}

/** One action's form: its parameters, the comment, submit. */
function ActionForm(props: { deviceId: string; hostname: string; form: (typeof FORMS)[number]; onDone: () => void; onClose: () => void }) {
  const { type } = props.form;
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = (key: string) => (v: string) => setFields({ ...fields, [key]: v });
  const id = (key: string) => `act-${type}-${key}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    // Empty optional fields stay out: the endpoint applies its defaults (full isolation, quick scan).
    const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));
    try {
      const created = await api<MachineAction>('POST', `/v1/admin/devices/${encodeURIComponent(props.deviceId)}/${type}`, body);
      announce(`${ACTION_LABELS[type]} requested on ${props.hostname} (action ${created.id}, ${created.status}).`);
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class={props.form.danger ? 'confirm' : 'card'} onSubmit={submit} aria-label={ACTION_LABELS[type]}>
      <p>
        <strong>{ACTION_LABELS[type]}</strong> {props.form.note && <span class="muted">{props.form.note}</span>}
      </p>
      {type === 'isolate' && (
        <Choice id={id('mode')} label="Isolation type" values={['full', 'selective']} value={fields.isolationType ?? ''} onChange={set('isolationType')} />
      )}
      {type === 'runAntivirusScan' && (
        <Choice id={id('scan')} label="Scan type" values={['quick', 'full']} value={fields.scanType ?? ''} onChange={set('scanType')} />
      )}
      {type === 'stopAndQuarantineFile' && (
        <>
          <TextInput id={id('sha256')} label="File SHA-256" value={fields.sha256 ?? ''} onInput={set('sha256')} size={66} />
          <TextInput id={id('path')} label="Path (optional)" value={fields.path ?? ''} onInput={set('path')} placeholder="/usr/local/bin/tool" />
        </>
      )}
      {type === 'restoreFromQuarantine' && <TextInput id={id('qid')} label="Quarantine id" value={fields.quarantineId ?? ''} onInput={set('quarantineId')} />}
      <TextInput id={id('comment')} label="Comment (required)" value={fields.comment ?? ''} onInput={set('comment')} size={40} />
      <button type="submit" class={props.form.danger ? 'danger' : undefined} disabled={busy || (fields.comment ?? '').trim() === ''}>
        {props.form.danger ? `Yes, ${ACTION_LABELS[type].toLowerCase()}` : 'Submit'}
      </button>{' '}
      <button type="button" onClick={props.onClose}>
        Close
      </button>
      <ErrorText error={error} />
    </form>
  );
}

/** Whether the role may run any response action (the device page shows the bar then). */
export function mayRunActions(can: Abilities): boolean {
  return FORMS.some((f) => f.allowed(can));
}

/** The action bar beside Sync and Revoke: one button per action the role may run, the open form below it. */
export function DeviceActionBar(props: { deviceId: string; hostname: string; can: Abilities; onCreated: () => void }) {
  const [open, setOpen] = useState<ActionType | null>(null);
  const forms = FORMS.filter((f) => f.allowed(props.can));
  const form = forms.find((f) => f.type === open);
  if (forms.length === 0) return null;
  return (
    <>
      <span class="toolbar" role="toolbar" aria-label="Response actions">
        {forms.map((f) => (
          <button
            key={f.type}
            type="button"
            class={f.danger ? 'danger' : undefined}
            aria-pressed={open === f.type}
            onClick={() => setOpen(open === f.type ? null : f.type)}
          >
            {ACTION_LABELS[f.type]}
          </button>
        ))}
      </span>
      {form?.type === 'updateSoftware' && (
        <UpdateSoftwareForm
          deviceId={props.deviceId}
          hostname={props.hostname}
          onClose={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            props.onCreated();
          }}
        />
      )}
      {form && form.type !== 'updateSoftware' && (
        <ActionForm
          key={form.type}
          deviceId={props.deviceId}
          hostname={props.hostname}
          form={form}
          onClose={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            props.onCreated();
          }}
        />
      )}
    </>
  );
}

/** The device's last 20 actions (`refresh` changes after the bar created one); nothing for a role that may not read them. */
export function DeviceActionHistory(props: { deviceId: string; can: Abilities; refresh: number }) {
  const { deviceId, can } = props;
  // A role without devices.read never asks (the answer would be 403).
  const history = useLoad(
    () => (can.readActions ? api<MachineActionList>('GET', withQuery('/v1/admin/actions', { deviceId, limit: 20 })) : Promise.resolve(undefined)),
    [deviceId, props.refresh, can.readActions],
  );
  if (!can.readActions) return null;
  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">Response actions</h2>
      {history.loading && <Loading what="the device's actions" />}
      <ErrorText error={history.error} />
      {history.data && (
        <ActionTable actions={history.data.actions} can={can} showDevice={false} onChanged={history.reload} caption="This device's actions, newest first" />
      )}
      {history.data?.nextCursor && <a href={href('actions', { deviceId })}>All actions of this device</a>}
    </section>
  );
}
