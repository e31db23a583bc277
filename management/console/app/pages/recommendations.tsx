// Security recommendations, most exposed devices first, searched by software name and filtered by ecosystem, paged
// by cursor, every filter in the URL (GET /v1/admin/vulnerabilities/recommendations?search&ecosystem&cursor&limit).
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { CursorPager } from '../paging.js';
import { href, navigate } from '../router.js';
import type { RecommendationList } from '../types.js';
import { ErrorText, Loading } from '../ui.js';
import { RecommendationTable } from './vulnerability-tables.js';

const PAGE_SIZE = 50;
const PARTS = ['vulnerabilities', 'recommendations'] as const;

export function RecommendationsPage({ query }: { query: URLSearchParams }) {
  const q = { search: query.get('search') ?? undefined, ecosystem: query.get('ecosystem') ?? undefined, cursor: query.get('cursor') ?? undefined };
  const [draft, setDraft] = useState({ search: q.search ?? '', ecosystem: q.ecosystem ?? '' });
  const page = useLoad(
    () => api<RecommendationList>('GET', withQuery('/v1/admin/vulnerabilities/recommendations', { ...q, limit: PAGE_SIZE })),
    [query.toString()],
  );
  return (
    <>
      <search>
        <form
          class="filters"
          aria-label="Recommendation filters"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(href(...PARTS, { search: draft.search.trim() || undefined, ecosystem: draft.ecosystem.trim() || undefined }));
          }}
        >
          <span>
            <label for="rec-search">Software</label>
            <input id="rec-search" type="search" value={draft.search} onInput={(e) => setDraft({ ...draft, search: e.currentTarget.value })} />
          </span>
          <span>
            <label for="rec-ecosystem">Ecosystem</label>
            <input
              id="rec-ecosystem"
              value={draft.ecosystem}
              placeholder="Debian:12, windows, …"
              onInput={(e) => setDraft({ ...draft, ecosystem: e.currentTarget.value })}
            />
          </span>
          <button type="submit">Filter</button>
        </form>
      </search>
      {page.loading && <Loading what="recommendations" />}
      <ErrorText error={page.error} />
      {page.data && <RecommendationTable items={page.data.items} caption="Security recommendations, most exposed devices first" />}
      <CursorPager parts={PARTS} query={q} nextCursor={page.data?.nextCursor} />
    </>
  );
}
