// Fuzz: every schema-validated wire message and policy document, as both sides receive them (the endpoint's body
// parser and the agent's endpoint client both end in validate(); the push channel and control socket parse text
// first, with parseJsonText). Mutated valid samples (test/fuzz-samples.ts) and arbitrary structure give a clear
// AttacheError with the receiver's code, or a value that is the input and serialises (it is stored, signed or re-sent
// next); a policy document also goes through the catalog check and canonical JSON, as the endpoint signs it. The agent's trust checks of a policies
// response: agent/src/sync/policies-response.fuzz.test.ts; the endpoint's push text: management/src/http/push-route.fuzz.test.ts.

import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AgentPushMessage,
  AlertReport,
  AlertReportAck,
  ControlRequest,
  ControlResponse,
  EnrollRequest,
  EnrollResponse,
  ErrorResponse,
  HealthUpload,
  InventoryUpload,
  PoliciesResponse,
  PolicyDocument,
  ReportAck,
  ServerPushMessage,
  StatusReport,
} from '../policy-schemas/src/index.js';
import { clearOutcome, fuzzRuns, hostileJsonText, pathologicalValues, receivedJson } from '../test/fuzz.js';
import * as S from '../test/fuzz-samples.js';
import { canonicalJson } from './canonical-json.js';
import type { ErrorCode } from './errors.js';
import { parseJsonText } from './json-text.js';
import { validate, validatePolicySettings } from './validation.js';

const UUID = '66666666-6666-4666-8666-666666666666';

/** Each message a side receives: its schema, valid samples, and the code the receiver uses. */
const MESSAGES: readonly { name: string; schema: TSchema; samples: unknown[]; code: ErrorCode }[] = [
  { name: 'enroll request', schema: EnrollRequest, samples: [S.ENROLL_REQUEST], code: 'SCHEMA_INVALID' },
  {
    name: 'enroll response',
    schema: EnrollResponse,
    samples: [{ deviceId: S.DEVICE, tenantId: S.TENANT, enrolledAt: '2026-12-01T00:00:00Z' }],
    code: 'ENDPOINT_ERROR',
  },
  { name: 'policies response', schema: PoliciesResponse, samples: [S.POLICIES_RESPONSE], code: 'SCHEMA_INVALID' },
  { name: 'status report', schema: StatusReport, samples: [S.STATUS_REPORT], code: 'SCHEMA_INVALID' },
  { name: 'report ack', schema: ReportAck, samples: [{ reportId: UUID, duplicate: false, stale: false }], code: 'ENDPOINT_ERROR' },
  { name: 'alert report', schema: AlertReport, samples: [S.ALERT_REPORT], code: 'SCHEMA_INVALID' },
  { name: 'alert report ack', schema: AlertReportAck, samples: [{ reportId: UUID, duplicate: true, stale: false, riskLevel: 'low' }], code: 'ENDPOINT_ERROR' },
  { name: 'health upload', schema: HealthUpload, samples: [{ deviceId: S.DEVICE, health: S.HEALTH }], code: 'SCHEMA_INVALID' },
  { name: 'inventory upload', schema: InventoryUpload, samples: [S.INVENTORY_UPLOAD], code: 'SCHEMA_INVALID' },
  {
    name: 'server push message',
    schema: ServerPushMessage,
    samples: [
      { type: 'hello', deviceId: S.DEVICE, serverTime: '2026-12-01T00:00:00Z' },
      { type: 'sync', requestId: UUID, reason: 'policy-changed' },
      { type: 'error', code: 'DEVICE_REVOKED', message: 'revoked' },
    ],
    code: 'MESSAGE_INVALID',
  },
  { name: 'agent push message', schema: AgentPushMessage, samples: [{ type: 'ack', requestId: UUID }], code: 'MESSAGE_INVALID' },
  { name: 'control request', schema: ControlRequest, samples: [{ command: 'sync' }, { command: 'plan' }], code: 'MESSAGE_INVALID' },
  {
    name: 'control response',
    schema: ControlResponse,
    samples: [
      { ok: true, pid: 4242, outcome: S.SYNC_OUTCOME },
      { ok: false, code: 'MESSAGE_INVALID', message: 'control request is not valid JSON' },
    ],
    code: 'MESSAGE_INVALID',
  },
  {
    name: 'error response',
    schema: ErrorResponse,
    samples: [{ error: { code: 'NOT_FOUND', message: 'no route', details: [{ path: '/', message: 'x' }] } }],
    code: 'ENDPOINT_ERROR',
  },
  { name: 'policy document', schema: PolicyDocument, samples: [...S.POLICY_DOCUMENTS], code: 'SCHEMA_INVALID' },
];

/**
 * What the receiver does: validate() with its code; a policy document is then checked against the catalog and signed.
 * A refusal carries one of the receiver's codes; an accepted value is the input itself and serialises (canonically,
 * when it is signed next).
 */
function checkMessage(m: (typeof MESSAGES)[number], value: unknown): void {
  const receive = (v: unknown) => {
    const accepted = validate(m.schema, v, m.name, m.code);
    if (m.schema === PolicyDocument) validatePolicySettings(accepted as PolicyDocument);
    return accepted;
  };
  const out = clearOutcome(receive, value);
  if (!out.ok) {
    expect([m.code, 'POLICY_INVALID']).toContain((out.error as { code?: string }).code);
    return;
  }
  expect(out.value).toBe(value);
  if (m.schema === PolicyDocument) expect(typeof canonicalJson(out.value)).toBe('string');
  else expect(typeof JSON.stringify(out.value)).toBe('string');
}

describe('wire messages under fuzzing', () => {
  it.each(MESSAGES)('the $name samples are valid', (m) => {
    for (const sample of m.samples) expect(validate(m.schema, sample, m.name)).toBe(sample);
  });

  it.each(MESSAGES)('$name: mutated samples give the receiver’s error or the value', (m) => {
    fc.assert(
      fc.property(receivedJson(m.samples), (v) => checkMessage(m, v)),
      fuzzRuns(60),
    );
  });

  it.each(pathologicalValues())('pathological values finish clearly in every schema: $name', ({ value }) => {
    for (const m of MESSAGES) checkMessage(m, value);
  });

  it.each(MESSAGES)('$name as received text (parseJsonText, then validate): the receiver’s error or the value', (m) => {
    fc.assert(
      fc.property(hostileJsonText(m.samples), (text) => {
        const parsed = clearOutcome((t: string) => parseJsonText(t, m.name, m.code), text);
        if (parsed.ok) checkMessage(m, parsed.value);
        else expect((parsed.error as { code?: string }).code).toBe(m.code);
      }),
      fuzzRuns(40),
    );
  });

  it('regression: a status report with a 10k-deep object inside a setting value is refused as received text', () => {
    // Setting values may be lists of free-form objects, so the schema lets any depth through; canonicalJson and the
    // store's JSON.stringify then overflowed the stack (500 INTERNAL). The receiving parse now refuses the depth.
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const text = JSON.stringify(S.STATUS_REPORT).replace('"desired":[{', `"desired":[{"deep":${deep},`);
    expect(() => parseJsonText(text, 'request body', 'BODY_MALFORMED')).toThrow(/request body nests deeper than 64 levels/);
  });
});
