// The replicas' event bus: what one endpoint process does that others must hear about (a device's set changed, a
// socket must close, a compliance decision moved, cached sets are stale). One process (SQLite) needs none: LocalBus.
// Replicas on PostgreSQL use its LISTEN/NOTIFY (PostgresBus in postgres-bus.ts). docs/deploy.md, "Replicas".
import { SyncReason } from '../../../policy-schemas/src/device-api.js';

/** The events replicas exchange. Device ids travel in bounded lists (the bus splits longer ones). */
export type ClusterEvent =
  /** These devices' sets changed: the replica holding a device's socket delivers it (or nudges). */
  | { readonly type: 'nudge'; readonly deviceIds: readonly string[]; readonly reason: SyncReason }
  /** Cached sets are stale: these devices', or every device's. */
  | { readonly type: 'sets'; readonly deviceIds: readonly string[] | 'all' }
  /** The replica holding the device's socket closes it (revoked, key rotated). */
  | { readonly type: 'disconnect'; readonly deviceId: string; readonly code: number; readonly reason: string }
  /** These devices' stored compliance states changed: replicas reload their precomputed decisions. */
  | { readonly type: 'compliance'; readonly deviceIds: readonly string[] }
  /** A policy-signing key was announced or activated: replicas reload their key ring. */
  | { readonly type: 'signingKeys' }
  /** These devices have new response-action envelopes: the replica holding a device's socket sends them (`actions`). */
  | { readonly type: 'actions'; readonly deviceIds: readonly string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REASONS: ReadonlySet<string> = new Set(SyncReason.anyOf.map((r) => r.const));

function deviceIds(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > IDS_PER_EVENT) return undefined;
  return value.every((v) => typeof v === 'string' && UUID.test(v)) ? (value as string[]) : undefined;
}

/**
 * An event received from another replica, checked field by field (the database is shared, not trusted to hold only
 * what replicas wrote): undefined for anything else, which the receiver drops and logs.
 */
export function parseClusterEvent(value: unknown): ClusterEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const ids = deviceIds(e.deviceIds);
  switch (e.type) {
    case 'nudge':
      return ids && typeof e.reason === 'string' && REASONS.has(e.reason) ? { type: 'nudge', deviceIds: ids, reason: e.reason as SyncReason } : undefined;
    case 'sets':
      return e.deviceIds === 'all' ? { type: 'sets', deviceIds: 'all' } : ids ? { type: 'sets', deviceIds: ids } : undefined;
    case 'compliance':
      return ids ? { type: 'compliance', deviceIds: ids } : undefined;
    case 'actions':
      return ids ? { type: 'actions', deviceIds: ids } : undefined;
    case 'signingKeys':
      return Object.keys(e).length === 1 ? { type: 'signingKeys' } : undefined;
    case 'disconnect': {
      const { deviceId, code, reason } = e;
      const ok = typeof deviceId === 'string' && UUID.test(deviceId) && Number.isInteger(code) && (code as number) >= 4000 && (code as number) <= 4999;
      return ok && typeof reason === 'string' && reason.length <= 120 ? { type: 'disconnect', deviceId, code: code as number, reason } : undefined;
    }
    default:
      return undefined;
  }
}

/** Device ids per event on the wire (PostgreSQL NOTIFY payloads stay under 8,000 bytes). */
export const IDS_PER_EVENT = 150;

/**
 * Publishes this process's events to the other replicas and hands theirs to the subscriber. A replica applies its own
 * events itself, so a bus never delivers an event back to the process that published it.
 */
export interface ClusterBus {
  /** This process's id among the replicas. */
  readonly replicaId: string;
  publish(event: ClusterEvent): void;
  /** `onEvent` gets the other replicas' events; `onGap` when events may have been missed (the bus reconnected). */
  subscribe(onEvent: (event: ClusterEvent) => void, onGap: () => void): void;
  close(): Promise<void>;
}

/** The bus of a single endpoint process: nobody else to tell. */
export class LocalBus implements ClusterBus {
  constructor(readonly replicaId: string) {}
  publish(): void {}
  subscribe(): void {}
  async close(): Promise<void> {}
}

/** Splits an event's device list into events of at most IDS_PER_EVENT ids (others pass unchanged). */
export function splitEvent(event: ClusterEvent): ClusterEvent[] {
  if (event.type === 'disconnect' || event.type === 'signingKeys' || (event.type === 'sets' && event.deviceIds === 'all')) return [event];
  const ids = event.deviceIds as readonly string[];
  if (ids.length <= IDS_PER_EVENT) return [event];
  const out: ClusterEvent[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_EVENT) out.push({ ...event, deviceIds: ids.slice(i, i + IDS_PER_EVENT) } as ClusterEvent);
  return out;
}
