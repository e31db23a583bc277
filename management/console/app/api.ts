// The console's only way to the endpoint: same-origin fetch of the public admin API with the session cookie, the
// x-csrf-token header on every write, and the error envelope turned into an ApiError with the endpoint's details.

/** One problem of a refused request body (`path` is a JSON pointer such as `/settings/defender.AllowRealtimeMonitoring`). */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** An error answer of the endpoint, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    /** Seconds from Retry-After, when the endpoint sent one (LOGIN_LOCKED). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Set from the session answer (POST/GET /v1/session); sent with every write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** `path` with the query's defined values appended. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; details?: ErrorDetail[] } } = {};
  try {
    body = await res.json();
  } catch {
    // Not the envelope (a proxy's page): the status says enough.
  }
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    body.error?.code ?? `HTTP_${res.status}`,
    body.error?.message ?? `${res.status} ${res.statusText}`,
    body.error?.details ?? [],
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

/** Calls the API; resolves with the parsed body (undefined for 204), rejects with ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `the endpoint cannot be reached: ${(err as Error).message}`);
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A message for an error of any kind, naming the endpoint's code. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404 && err.message.startsWith('no route')) return `${err.message} — this endpoint does not offer that API yet`;
    return `${err.message} (${err.code})`;
  }
  return (err as Error)?.message ?? String(err);
}
