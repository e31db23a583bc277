// Devices: server-side paging, search, filters and sorting (GET /v1/admin/devices?search=…&limit=…&cursor=…,
// contract 6), all kept in the URL so a filtered list can be bookmarked. Built for 10,000+ devices: the browser holds
// one page.
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import type { ComplianceState, DevicePage } from '../types.js';
import { Badge, ErrorText, formatTime, Loading } from '../ui.js';

const PAGE_SIZE = 50;
// Every compliance state (the Record makes a state added to the schema a compile error here until it is listed).
const COMPLIANCE_STATES: Readonly<Record<ComplianceState, true>> = {
  compliant: true,
  inGracePeriod: true,
  unknown: true,
  conflict: true,
  noncompliant: true,
  error: true,
};
const FILTERS: readonly { key: string; label: string; options: readonly string[] }[] = [
  { key: 'platform', label: 'Platform', options: ['windows', 'macos', 'linux'] },
  { key: 'complianceState', label: 'Compliance', options: Object.keys(COMPLIANCE_STATES) },
  { key: 'riskLevel', label: 'Risk level', options: ['none', 'informational', 'low', 'medium', 'high'] },
  { key: 'policyStatus', label: 'Policy status', options: ['succeeded', 'error', 'conflict', 'pending', 'notApplicable', 'none'] },
  { key: 'connected', label: 'Connected', options: ['true', 'false'] },
];
const COLUMNS: readonly { key: string; label: string; sortable: boolean }[] = [
  { key: 'hostname', label: 'Hostname', sortable: true },
  { key: 'platform', label: 'Platform', sortable: false },
  { key: 'complianceState', label: 'Compliance', sortable: true },
  { key: 'riskLevel', label: 'Risk', sortable: true },
  { key: 'policyStatus', label: 'Policies', sortable: false },
  { key: 'lastSeenAt', label: 'Last check-in', sortable: true },
  { key: 'connected', label: 'Connected', sortable: false },
];
const QUERY_KEYS = ['search', ...FILTERS.map((f) => f.key), 'sort', 'order', 'cursor'];

export function DevicesPage({ query }: { query: URLSearchParams }) {
  const q = Object.fromEntries(QUERY_KEYS.map((k) => [k, query.get(k) ?? undefined])) as Record<string, string | undefined>;
  const [search, setSearch] = useState(q.search ?? '');
  // Cursors of the pages before this one, for "Previous" (the API pages forward only); `-` is the first page.
  const back = (query.get('back') ?? '').split(',').filter(Boolean);
  const list = useLoad(() => api<DevicePage>('GET', withQuery('/v1/admin/devices', { ...q, limit: PAGE_SIZE })), [query.toString()]);
  const go = (changes: Record<string, string | undefined>, keepPage = false) =>
    navigate(href('devices', { ...q, ...(keepPage ? {} : { cursor: undefined, back: undefined }), ...changes }));
  const sortBy = (key: string) => go({ sort: key, order: q.sort === key && q.order !== 'desc' ? 'desc' : 'asc' });
  const page = list.data;
  const from = back.length * PAGE_SIZE;
  return (
    <section aria-labelledby="devices-h">
      <h1 id="devices-h">Devices</h1>
      <search>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            go({ search });
          }}
        >
          <label for="device-search">Search</label>
          <input id="device-search" type="search" value={search} placeholder="hostname, id, tag" onInput={(e) => setSearch(e.currentTarget.value)} />
          <button type="submit">Search</button>
          {FILTERS.map((f) => (
            <span key={f.key}>
              <label for={`f-${f.key}`}>{f.label}</label>
              <select id={`f-${f.key}`} value={q[f.key] ?? ''} onChange={(e) => go({ [f.key]: e.currentTarget.value || undefined })}>
                <option value="">any</option>
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </span>
          ))}
        </form>
      </search>
      {list.loading && <Loading what="devices" />}
      <ErrorText error={list.error} />
      {page && (
        <>
          <p aria-live="polite">
            {page.devices.length === 0
              ? 'No devices match.'
              : `Devices ${from + 1}–${from + page.devices.length}${page.total === undefined ? '' : ` of ${page.total}`}`}
          </p>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Devices, sorted by {q.sort ?? 'hostname'}</caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.key} scope="col" aria-sort={q.sort === c.key ? (q.order === 'desc' ? 'descending' : 'ascending') : undefined}>
                      {c.sortable ? (
                        <button type="button" class="link" onClick={() => sortBy(c.key)}>
                          {c.label}
                          {q.sort === c.key ? (q.order === 'desc' ? ' ▼' : ' ▲') : ''}
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {page.devices.map((d) => (
                  <tr key={d.deviceId}>
                    <td>
                      <a href={href('devices', d.deviceId)}>{d.hostname}</a>
                      {d.revoked && <span class="muted"> (revoked)</span>}
                    </td>
                    <td>{d.platform}</td>
                    <td>
                      <Badge value={d.complianceState} />
                    </td>
                    <td>
                      <Badge value={d.riskLevel} />
                    </td>
                    <td>
                      <Badge value={d.policyStatus} />
                    </td>
                    <td>{formatTime(d.lastSeenAt)}</td>
                    <td>{d.connected ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              disabled={back.length === 0}
              onClick={() => go({ cursor: back.at(-1) === '-' ? undefined : back.at(-1), back: back.slice(0, -1).join(',') || undefined }, true)}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={!page.nextCursor}
              onClick={() => go({ cursor: page.nextCursor ?? undefined, back: [...back, q.cursor ?? '-'].join(',') }, true)}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
