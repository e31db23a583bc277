// Fuzz: the agent's trust checks of a fetched policies response (schema, every policy's signature, tenant and catalog,
// then the signed manifest of the set). A mutated response is refused with a clear code, or it is exactly what the
// endpoint signed: no mutation of a signed byte may get through.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { validate } from '../../../common/validation.js';
import { PoliciesResponse } from '../../../policy-schemas/src/index.js';
import { clearOutcome, FUZZ_RUNS, receivedJson } from '../../../test/fuzz.js';
import * as S from '../../../test/fuzz-samples.js';
import { verifyAgainstFloor } from './policy-source.js';
import { verifyManifest } from './verify.js';

const trust = { tenantId: S.TENANT, signingKeys: [S.IDENTITY.policySigningKey], deviceId: S.DEVICE };
const SIGNED = canonicalJson(S.POLICIES_RESPONSE.policies.map((p) => p.payload));

describe('policies response trust checks under fuzzing', () => {
  it('a mutated response is refused with a clear code, or verifies to exactly what was signed', () => {
    fc.assert(
      fc.property(receivedJson([S.POLICIES_RESPONSE]), (value) => {
        const body = clearOutcome((v: unknown) => validate(PoliciesResponse, v, 'policies response'), value);
        if (!body.ok) return;
        const payloads = clearOutcome((b: typeof body.value) => verifyAgainstFloor(b.policies, trust, {}), body.value);
        if (!payloads.ok) return;
        const manifest = clearOutcome(() => verifyManifest(body.value.manifest, payloads.value, trust, undefined), undefined);
        if (manifest.ok) expect(canonicalJson(payloads.value)).toBe(SIGNED);
      }),
      FUZZ_RUNS,
    );
  });

  it('regression: 1e999 inside a rule object is SCHEMA_INVALID (never signable), not an INTERNAL TypeError', () => {
    const text = JSON.stringify(S.POLICIES_RESPONSE).replace('"action":"block"', '"action":1e999');
    expect(text).toContain('1e999');
    const body = validate(PoliciesResponse, JSON.parse(text), 'policies response');
    expect(() => verifyAgainstFloor(body.policies, trust, {})).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  });
});
