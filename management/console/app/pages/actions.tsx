// The action center (Defender's): every response action in the admin's scope, newest first, filtered by device, type,
// status and requestor and paged by cursor, all kept in the URL (GET /v1/admin/actions?deviceId&type&status&requestor
// &cursor&limit). Cancel and the package download per row (action-table.tsx).
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import type { Abilities } from '../session.js';
import type { MachineAction, MachineActionList } from '../types.js';
import { ErrorText, Loading } from '../ui.js';
import { ACTION_LABELS, ActionTable } from './action-table.js';

const PAGE_SIZE = 50;
// Every status (the Record makes a status added to the schema a compile error here until it is listed).
const STATUSES: Readonly<Record<MachineAction['status'], true>> = {
  pending: true,
  inProgress: true,
  succeeded: true,
  failed: true,
  timeOut: true,
  cancelled: true,
};
const TEXT_FILTERS = [
  ['deviceId', 'Device id'],
  ['requestor', 'Requestor'],
] as const;
const QUERY_KEYS = ['deviceId', 'type', 'status', 'requestor', 'cursor'] as const;

export function ActionsPage({ query, can }: { query: URLSearchParams; can: Abilities }) {
  const q = Object.fromEntries(QUERY_KEYS.map((k) => [k, query.get(k) ?? undefined])) as Record<(typeof QUERY_KEYS)[number], string | undefined>;
  const [draft, setDraft] = useState<Record<string, string>>({ deviceId: q.deviceId ?? '', requestor: q.requestor ?? '' });
  const page = useLoad(() => api<MachineActionList>('GET', withQuery('/v1/admin/actions', { ...q, limit: PAGE_SIZE })), [query.toString()]);
  const go = (changes: Record<string, string | undefined>) => navigate(href('actions', { ...q, cursor: undefined, ...changes }));
  const select = (key: 'type' | 'status', label: string, options: Readonly<Record<string, string>>) => (
    <span>
      <label for={`ac-${key}`}>{label}</label>
      <select id={`ac-${key}`} value={q[key] ?? ''} onChange={(e) => go({ [key]: e.currentTarget.value || undefined })}>
        <option value="">any</option>
        {Object.entries(options).map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </span>
  );
  return (
    <section aria-labelledby="actions-h">
      <h1 id="actions-h">Action center</h1>
      <search>
        <form
          class="filters"
          aria-label="Action filters"
          onSubmit={(e) => {
            e.preventDefault();
            go({ deviceId: draft.deviceId?.trim() || undefined, requestor: draft.requestor?.trim() || undefined });
          }}
        >
          {TEXT_FILTERS.map(([key, label]) => (
            <span key={key}>
              <label for={`ac-${key}`}>{label}</label>
              <input id={`ac-${key}`} value={draft[key]} onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} />
            </span>
          ))}
          <button type="submit">Filter</button>
          {select('type', 'Type', ACTION_LABELS)}
          {select('status', 'Status', Object.fromEntries(Object.keys(STATUSES).map((s) => [s, s])))}
        </form>
      </search>
      {page.loading && <Loading what="actions" />}
      <ErrorText error={page.error} />
      {page.data && <ActionTable actions={page.data.actions} can={can} showDevice onChanged={page.reload} caption="Response actions, newest first" />}
      <nav aria-label="Pages" class="pager">
        {q.cursor && <a href={href('actions', { ...q, cursor: undefined })}>Newest</a>}{' '}
        {page.data?.nextCursor && <a href={href('actions', { ...q, cursor: page.data.nextCursor })}>Older actions</a>}
      </nav>
    </section>
  );
}
