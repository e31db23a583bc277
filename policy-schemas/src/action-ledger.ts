// actions.json in the agent's state dir: every response action the agent has seen, by id, with where it stands and its
// outcome (issue 17). A re-delivered id never runs again (its stored outcome is re-sent, `duplicate: true`); an entry
// still `inProgress` at start was interrupted by a kill and is recovered (docs/actions.md, "On the device").
import { type Static, Type } from '@sinclair/typebox';
import { ActionError, ActionParameters, ActionResult, type DeliveredActionType, Sha256Hex } from './actions.js';
import { Timestamp } from './primitives.js';

/** Every type a device receives (the ActionParameters keys: each ActionType and `cancel`). */
const DeliveredType = Type.Union((Object.keys(ActionParameters) as DeliveredActionType[]).map((t) => Type.Literal(t)));

export const AgentActionEntry = Type.Object(
  {
    type: DeliveredType,
    /** Where the action stands on this device (a refused one is `failed` with the refusal). */
    status: Type.Union([Type.Literal('pending'), Type.Literal('inProgress'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
    /** The last update sequence queued for the endpoint. */
    sequence: Type.Integer({ minimum: 0 }),
    receivedAt: Timestamp,
    startedAt: Type.Optional(Timestamp),
    completedAt: Type.Optional(Timestamp),
    expiresAt: Timestamp,
    /** The action's parameters (a pending one is started from them after a restart). */
    parameters: Type.Record(Type.String(), Type.Unknown()),
    /** stopAndQuarantineFile: the file's SHA-256, so recovery after a kill can find what the quarantine holds for it. */
    sha256: Type.Optional(Sha256Hex),
    result: Type.Optional(ActionResult),
    error: Type.Optional(ActionError),
  },
  { additionalProperties: false },
);
export type AgentActionEntry = Static<typeof AgentActionEntry>;

export const AgentActionLedger = Type.Object(
  {
    formatVersion: Type.Literal(1),
    actions: Type.Record(Type.String({ pattern: '^[0-9a-f-]{36}$' }), AgentActionEntry),
    /**
     * Replay floor (review 17b #13): the newest `expiresAt` of a pruned entry, or the time a corrupt ledger was reset.
     * An envelope expiring at or before it is refused ACTION_REPLAYED, whatever the device clock says.
     */
    expiryFloor: Type.Optional(Timestamp),
  },
  { additionalProperties: false, $id: 'urn:attache:agent-action-ledger', title: 'Response actions on the device (actions.json)' },
);
export type AgentActionLedger = Static<typeof AgentActionLedger>;
