// The local control channel between `agent sync|status` and the running daemon (a Unix socket or named pipe).
import { type Static, Type } from '@sinclair/typebox';
import { SyncOutcome } from './agent-config.js';
import { PolicyKind, SettingValue, Timestamp, Uuid } from './primitives.js';

/**
 * `sync`: fetch and apply now; `ping`: is the daemon up; `plan`: what a sync would change (dry run, changes
 * nothing); `drift-check`: re-read managed settings now and repair drift, without contacting the endpoint.
 */
export const ControlRequest = Type.Object(
  { command: Type.Union([Type.Literal('sync'), Type.Literal('ping'), Type.Literal('plan'), Type.Literal('drift-check'), Type.Literal('rotate-key')]) },
  { additionalProperties: false, $id: 'urn:attache:control-request', title: 'Control request' },
);
export type ControlRequest = Static<typeof ControlRequest>;

const PolicyIds = Type.Array(Uuid, { maxItems: 100 });

/** A dry run: what applying the last good policies would do to this host now. */
export const SyncPlan = Type.Object(
  {
    formatVersion: Type.Literal(1),
    generatedAt: Timestamp,
    /** The running daemon answered, or the CLI computed it itself (daemon not running). */
    computedBy: Type.Union([Type.Literal('daemon'), Type.Literal('cli')]),
    policies: Type.Array(
      Type.Object({ policyId: Uuid, version: Type.Integer({ minimum: 1 }), name: Type.String(), kind: PolicyKind }, { additionalProperties: false }),
    ),
    /** Every enforceable setting: current → desired, and whether applying would change it. */
    settings: Type.Array(
      Type.Object(
        {
          settingId: Type.String(),
          kind: PolicyKind,
          policyIds: PolicyIds,
          current: Type.Optional(SettingValue),
          desired: SettingValue,
          change: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    conflicts: Type.Array(
      Type.Object({ settingId: Type.String(), kind: PolicyKind, policyIds: PolicyIds, message: Type.String() }, { additionalProperties: false }),
    ),
    /** Settings no policy manages any more, going back to their pre-management value (`remove`: the host had none). */
    restores: Type.Array(
      Type.Object(
        { settingId: Type.String(), kind: PolicyKind, current: Type.Optional(SettingValue), restoreTo: Type.Optional(SettingValue), remove: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    notApplicable: Type.Array(
      Type.Object({ settingId: Type.String(), kind: PolicyKind, policyIds: PolicyIds, message: Type.String() }, { additionalProperties: false }),
    ),
    /** Why the cached policies cannot be used (nothing would be enforced). */
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false, $id: 'urn:attache:sync-plan', title: 'Sync plan (dry run)' },
);
export type SyncPlan = Static<typeof SyncPlan>;

export const ControlResponse = Type.Union(
  [
    Type.Object(
      {
        ok: Type.Literal(true),
        pid: Type.Integer(),
        /** `ping`: the endpoint URL the daemon uses now (the preferred one or, after a failover, an alternate). */
        endpointUrl: Type.Optional(Type.String({ maxLength: 2048 })),
        outcome: Type.Optional(SyncOutcome),
        plan: Type.Optional(SyncPlan),
        /** `rotate-key`: the device key id now registered. */
        keyId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
      },
      { additionalProperties: false },
    ),
    Type.Object({ ok: Type.Literal(false), code: Type.String(), message: Type.String() }, { additionalProperties: false }),
  ],
  { $id: 'urn:attache:control-response', title: 'Control response' },
);
export type ControlResponse = Static<typeof ControlResponse>;
