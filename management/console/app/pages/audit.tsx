// Audit log (contract 5): entries filtered by time, actor, action and target, paged by cursor; export links (JSON
// lines, CSV) with the same filters; "Verify chain" walks the tamper-evident hash chain on the endpoint.
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import { Badge, ErrorText, formatTime, Loading } from '../ui.js';

/** One entry as GET /v1/admin/audit answers it (urn:attache:audit-entry, contract 5). */
interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: { adminId: string; username: string; role: string } | null;
  readonly sourceAddress: string | null;
  readonly action: string;
  readonly target: { type: string; id: string | null } | null;
  readonly outcome: 'success' | 'failure';
  readonly errorCode: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

/** GET /v1/admin/audit/verify. */
interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly firstBrokenSeq?: number;
  readonly problem?: string;
}

const FILTERS = [
  ['from', 'From (ISO time)'],
  ['to', 'To (ISO time)'],
  ['actor', 'Actor'],
  ['action', 'Action'],
  ['targetType', 'Target type'],
  ['targetId', 'Target id'],
] as const;

/** Before and after, folded: a policy's whole document would crowd the table. */
function ChangeDetails({ before, after }: { before: unknown; after: unknown }) {
  if ((before === null || before === undefined) && (after === null || after === undefined)) return <>—</>;
  const parts = [before !== null && before !== undefined ? 'before' : '', after !== null && after !== undefined ? 'after' : ''].filter(Boolean);
  return (
    <details>
      <summary>{parts.join(' / ')}</summary>
      {parts.includes('before') && <pre>before {JSON.stringify(before, null, 2)}</pre>}
      {parts.includes('after') && <pre>after {JSON.stringify(after, null, 2)}</pre>}
    </details>
  );
}

export function AuditPage({ query }: { query: URLSearchParams }) {
  const q = Object.fromEntries(FILTERS.map(([k]) => [k, query.get(k) ?? ''])) as Record<string, string>;
  const cursor = query.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(q);
  const [verify, setVerify] = useState<string>();
  const page = useLoad(
    () => api<{ entries: AuditEntry[]; nextCursor?: string }>('GET', withQuery('/v1/admin/audit', { ...q, cursor, limit: 100 })),
    [query.toString()],
  );
  const runVerify = async () => {
    try {
      const r = await api<AuditVerification>('GET', '/v1/admin/audit/verify');
      setVerify(r.ok ? `Chain intact: ${r.entries} entries verified.` : `Chain broken at entry ${r.firstBrokenSeq}: ${r.problem}`);
    } catch (err) {
      setVerify(`Chain check failed: ${(err as Error).message}`);
    }
  };
  return (
    <section aria-labelledby="audit-h">
      <h1 id="audit-h">Audit log</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href('audit', draft));
        }}
        aria-label="Audit filters"
      >
        {FILTERS.map(([k, label]) => (
          <span key={k}>
            <label for={`au-${k}`}>{label}</label>
            <input id={`au-${k}`} value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })} />
          </span>
        ))}
        <button type="submit">Filter</button>
      </form>
      <p>
        Export: <a href={withQuery('/v1/admin/audit/export', { ...q, format: 'jsonl' })}>JSON lines</a> ·{' '}
        <a href={withQuery('/v1/admin/audit/export', { ...q, format: 'csv' })}>CSV</a> ·{' '}
        <button type="button" onClick={runVerify}>
          Verify chain
        </button>
      </p>
      {verify && <p role="status">{verify}</p>}
      {page.loading && <Loading what="the audit log" />}
      <ErrorText error={page.error} />
      {page.data && (
        <div class="table-wrap">
          <table data-testid="audit">
            <caption class="sr-only">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {page.data.entries.map((e) => (
                <tr key={e.seq}>
                  <td class="nowrap">{formatTime(e.at)}</td>
                  <td>
                    {e.actor?.username ?? 'anonymous'} <span class="muted">{e.actor?.role ?? ''}</span> <span class="muted">{e.sourceAddress ?? ''}</span>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target ? `${e.target.type} ${e.target.id ?? ''}` : '—'}</td>
                  <td>
                    <Badge value={e.outcome} /> {e.errorCode ?? ''}
                  </td>
                  <td class="change">
                    <ChangeDetails before={e.before} after={e.after} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.data?.nextCursor && <a href={href('audit', { ...q, cursor: page.data.nextCursor })}>Older entries</a>}
    </section>
  );
}
