// Test support: a tiny admin API caller with the admin token, returning raw responses for status/code assertions.
import { httpsRequest, type TestResponse } from './https-client.js';

/** Calls /v1/admin/* with the admin token. */
export class TestAdmin {
  constructor(
    private readonly baseUrl: string,
    private readonly ca: string,
    /** The admin token (also accepted by the access decision API). */
    readonly token: string,
  ) {}

  call(method: string, path: string, body?: unknown, rawBody?: string | Buffer): Promise<TestResponse> {
    const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    return httpsRequest(this.baseUrl, this.ca, method, `/v1/admin${path}`, {
      headers: { authorization: `Bearer ${this.token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body: payload }),
    });
  }

  /** A 2xx answer's body, or throws with the answer. */
  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }
}
