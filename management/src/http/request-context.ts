// Per-request state the HTTP layer attaches to fastify requests: the exact body bytes, the authenticated device and
// the authenticated admin.
import type { AdminPrincipal } from '../service/admin-principal.js';
import type { DeviceRecord } from '../store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (request signatures hash these bytes); null when there was none. */
    rawBody: Buffer | null;
    /** The device that signed this request (set by the device-auth hook on /v1/device/*). */
    device: DeviceRecord | null;
    /** The admin making this request (set by the admin authentication hook on /v1/admin/*). */
    admin: AdminPrincipal | null;
  }
}
