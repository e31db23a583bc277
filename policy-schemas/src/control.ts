// The local control channel between `agent sync|status` and the running daemon (a Unix socket or named pipe).
import { type Static, Type } from '@sinclair/typebox';
import { SyncOutcome } from './agent-config.js';

export const ControlRequest = Type.Object(
  { command: Type.Union([Type.Literal('sync'), Type.Literal('ping')]) },
  { additionalProperties: false, $id: 'urn:attache:control-request', title: 'Control request' },
);
export type ControlRequest = Static<typeof ControlRequest>;

export const ControlResponse = Type.Union(
  [
    Type.Object({ ok: Type.Literal(true), pid: Type.Integer(), outcome: Type.Optional(SyncOutcome) }, { additionalProperties: false }),
    Type.Object({ ok: Type.Literal(false), code: Type.String(), message: Type.String() }, { additionalProperties: false }),
  ],
  { $id: 'urn:attache:control-response', title: 'Control response' },
);
export type ControlResponse = Static<typeof ControlResponse>;
