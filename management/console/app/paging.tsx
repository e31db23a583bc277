// Paging of long lists: client-side pages of a list the console already holds (a device's 20,000 software items, a
// recommendation's 10,000 devices), and the cursor links of server-paged lists (first page, next page in the URL).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { href } from './router.js';

/** One page of `items` (`size` a page), reset to the first when the list changes, and its pager. */
export function usePage<T>(items: readonly T[], size: number): { rows: readonly T[]; pager: JSX.Element | null } {
  const [page, setPage] = useState(0);
  useEffect(() => setPage(0), [items]);
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(page, pages - 1);
  const rows = items.slice(at * size, (at + 1) * size);
  if (items.length <= size) return { rows, pager: null };
  const pager = (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={at === 0} onClick={() => setPage(at - 1)}>
        Previous
      </button>{' '}
      <span>
        {at * size + 1}–{at * size + rows.length} of {items.length}
      </span>{' '}
      <button type="button" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>
        Next
      </button>
    </nav>
  );
  return { rows, pager };
}

/** First-page and next-page links of a cursor-paged list whose filters live in the URL query. */
export function CursorPager(props: { parts: readonly string[]; query: Record<string, string | undefined>; nextCursor: string | null | undefined }) {
  const { parts, query, nextCursor } = props;
  return (
    <nav aria-label="Pages" class="pager">
      {query.cursor && <a href={href(...parts, { ...query, cursor: undefined })}>First page</a>}{' '}
      {nextCursor && <a href={href(...parts, { ...query, cursor: nextCursor })}>Next page</a>}
    </nav>
  );
}
