// isolation.json in the agent's state dir: a device isolation the agent keeps in force until it is released (issue 17,
// Defender's "isolate device"). Re-applied at every agent start, so the isolation survives restarts and reboots.
import { type Static, Type } from '@sinclair/typebox';
import { IP_ADDRESS } from './catalog/item-patterns.js';
import { Timestamp } from './primitives.js';

/** `full`: only the management endpoint(s) and loopback; `selective` (Defender: Windows and macOS apps) is refused today. */
export const IsolationMode = Type.Union([Type.Literal('full'), Type.Literal('selective')]);
export type IsolationMode = Static<typeof IsolationMode>;

/** One management endpoint URL as the isolation allows it: its host and TCP port and the addresses it resolved to. */
export const IsolationEndpoint = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    addresses: Type.Array(Type.String({ pattern: IP_ADDRESS, maxLength: 64 }), { minItems: 1, maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type IsolationEndpoint = Static<typeof IsolationEndpoint>;

export const AgentIsolationState = Type.Object(
  {
    formatVersion: Type.Literal(1),
    mode: IsolationMode,
    /** When the device was first isolated (a later re-apply keeps it). */
    since: Timestamp,
    endpoints: Type.Array(IsolationEndpoint, { minItems: 1, maxItems: 16 }),
    /**
     * What the OS had before isolation that release must put back exactly (Windows: each profile's Enabled and default
     * actions as `Domain.DefaultInboundAction` → `Block`), taken once, before the first apply.
     */
    saved: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z]{1,20}\\.[A-Za-z]{1,40}$' }), Type.String({ pattern: '^[A-Za-z]{1,20}$' }), { maxProperties: 32 }),
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:agent-isolation-state', title: 'Device isolation (isolation.json)' },
);
export type AgentIsolationState = Static<typeof AgentIsolationState>;
