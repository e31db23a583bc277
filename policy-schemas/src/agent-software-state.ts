// software-inventory.json in the agent's state dir (issue 18): the digest of the software inventory the endpoint last
// acknowledged (the upload hash gate survives restarts) and what `attache-agent status` shows of the last collection.
import { type Static, Type } from '@sinclair/typebox';
import { ErrorCodeString, Timestamp } from './primitives.js';

const Digest = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const AgentSoftwareState = Type.Object(
  {
    formatVersion: Type.Literal(1),
    /** The digest the endpoint last acknowledged (SoftwareUploadAck.digest); an equal collection is not uploaded. */
    acknowledgedDigest: Type.Union([Digest, Type.Null()]),
    acknowledgedAt: Type.Union([Timestamp, Type.Null()]),
    /** The last successful collection: when, how many items, whether it was cut. */
    lastCollection: Type.Union([
      Type.Object({ collectedAt: Timestamp, items: Type.Integer({ minimum: 0 }), truncated: Type.Boolean(), digest: Digest }, { additionalProperties: false }),
      Type.Null(),
    ]),
    /** The last failure (collection or upload), cleared by the next success (SOFTWARE_INVENTORY_FAILED, ENDPOINT_UNREACHABLE, …). */
    lastError: Type.Union([
      Type.Object({ at: Timestamp, code: ErrorCodeString, message: Type.String({ maxLength: 2048 }) }, { additionalProperties: false }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false, $id: 'urn:attache:agent-software-state', title: 'Agent software inventory state' },
);
export type AgentSoftwareState = Static<typeof AgentSoftwareState>;
