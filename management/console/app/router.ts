// Hash routing (`#/devices/<id>?tab=…`): the endpoint serves one page at `/`, so every console URL is bookmarkable
// without server routes, and a reload keeps the page.
import { useEffect, useState } from 'preact/hooks';

/** The current route: path segments after `#/` and the query. */
export interface Route {
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs) };
}

/** A console link: `href('devices', id)` → `#/devices/<id>`; the query's empty values are left out. */
export function href(...parts: (string | Record<string, string | undefined>)[]): string {
  const segs = parts.filter((p): p is string => typeof p === 'string').map(encodeURIComponent);
  const query = parts.find((p): p is Record<string, string | undefined> => typeof p === 'object');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const qs = params.toString();
  return `#/${segs.join('/')}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string): void {
  window.location.hash = to;
}

/** The route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
