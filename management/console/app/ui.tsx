// Shared pieces of every page: the live region that announces async results, error text, state badges, labelled
// form fields, a confirmation step for destructive actions and loading states. Device strings are always text nodes.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, type ErrorDetail } from './api.js';
import type { PolicySource } from './types.js';

let announcer: (message: string) => void = () => {};

/** Says `message` in the page's aria-live region (screen readers read it; sighted users see it in the status bar). */
export function announce(message: string): void {
  announcer(message);
}

/** The one polite live region of the console. */
export function LiveRegion() {
  const [message, setMessage] = useState('');
  useEffect(() => {
    // Shown for 10 s (screen readers have read it by then), so an old result does not cover the next page.
    let timer: ReturnType<typeof setTimeout> | undefined;
    announcer = (m) => {
      setMessage(m);
      clearTimeout(timer);
      timer = setTimeout(() => setMessage(''), 10_000);
    };
    return () => clearTimeout(timer);
  }, []);
  return (
    <div class="live" role="status" aria-live="polite" data-testid="live">
      {message}
    </div>
  );
}

/** An error of a load or an action, with the endpoint's code and field details. */
export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  const details: readonly ErrorDetail[] = error instanceof ApiError ? error.details : [];
  return (
    <div class="error" role="alert">
      <p>{describeError(error)}</p>
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={`${d.path}:${d.message}`}>
              <code>{d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** A state word with its colour (succeeded, error, conflict, compliant, high, …); the word itself carries the meaning. */
export function Badge({ value }: { value: string | null | undefined }) {
  const v = value ?? 'unknown';
  return <span class={`badge badge-${v.replace(/[^A-Za-z]/g, '')}`}>{v}</span>;
}

export function Field(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; children: ComponentChildren }) {
  return (
    <div class={props.error ? 'field field-invalid' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** aria-describedby for a Field's control. */
export function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** A destructive action in two steps: the button opens a confirmation that takes the focus. */
export function ConfirmAction(props: { label: string; question: string; onConfirm: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) confirmRef.current?.focus();
  }, [open]);
  if (!open)
    return (
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        {props.label}
      </button>
    );
  const run = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
      setOpen(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset class="confirm">
      <legend class="sr-only">{props.label}</legend>
      <p>{props.question}</p>
      <button type="button" class="danger" ref={confirmRef} disabled={busy} onClick={run}>
        Yes, {props.label.toLowerCase()}
      </button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorText error={error} />
    </fieldset>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A setting value as text (lists and objects as JSON). */
export function formatValue(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Where an imported policy or compliance policy came from: the Intune policy's name, id, template, Graph type and
 * description. Text nodes only; each export string sits in its own <bdi>, so bidi controls in an export cannot
 * reorder the page around it. Nothing for a policy authored here.
 */
export function IntuneSource({ source, heading = 'h2' }: { source: PolicySource | undefined; heading?: 'h2' | 'h3' }) {
  if (!source) return null;
  const Heading = heading;
  return (
    <section class="card intune-source" aria-label="Imported from Intune">
      <Heading>Imported from Intune</Heading>
      <dl class="facts">
        <dt>Intune policy</dt>
        <dd>
          <bdi>{source.name || '(unnamed)'}</bdi>
        </dd>
        <dt>Intune id</dt>
        <dd>
          <code>
            <bdi>{source.id}</bdi>
          </code>
        </dd>
        {source.template && <dt>Template</dt>}
        {source.template && (
          <dd>
            <bdi>{source.template}</bdi>
          </dd>
        )}
        {source.odataType && <dt>Graph type</dt>}
        {source.odataType && (
          <dd>
            <code>{source.odataType}</code>
          </dd>
        )}
        {source.description && <dt>Intune description</dt>}
        {source.description && (
          <dd class="pre-line">
            <bdi>{source.description}</bdi>
          </dd>
        )}
      </dl>
    </section>
  );
}

/** A data table with its caption and column headers; `children` are the body rows (the first cell a row header). */
export function DataTable(props: { testId: string; caption: string; columns: readonly string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table data-testid={props.testId}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
