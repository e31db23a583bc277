// Catalog narrowing guard: every value the catalog accepted at the last release (policy-schemas/compat/, value schemas
// per kind) must still pass today's value schemas, or policies already signed, stored and cached on devices would be
// refused (fresh sets) by an upgraded agent. A limit on new policies goes where submission and apply check it
// (`singleItem`, common/validation.ts validateSettingLimits), not into the value schema.
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryOf } from '../../../test/catalog-arbitrary.js';
import snapshot from '../../compat/accepted-values.json' with { type: 'json' };
import { POLICY_KINDS, type PolicyKind } from '../primitives.js';
import { type JsonSchema, settingsSchemaOf } from './index.js';

interface AcceptedValues {
  readonly acceptedAt: string;
  readonly kinds: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;
}

const accepted: AcceptedValues = snapshot;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const current = new Map(POLICY_KINDS.map((kind) => [kind, ajv.compile(settingsSchemaOf(kind))]));

/**
 * Settings narrowed on purpose since the snapshot, with why stored policies stay usable. Each is a correction to
 * Microsoft's documentation (issue 16): a cached policy carrying the old value fails that one setting on the device
 * (values are checked per setting, agent/src/sync/apply.ts), the rest of its set is still enforced.
 */
const NO_WARN = 'Intune does not support warn mode for this ASR rule (ASR rules reference); warn was never enforceable';
const ACCEPTED_NARROWINGS: Readonly<Record<string, string>> = {
  'asr.e6db77e5-3df2-4cf1-b95a-636979351e5b': NO_WARN,
  'asr.d3e037e1-3eb8-44c8-a917-57927947596d': NO_WARN,
  'asr.c1db55ab-c21a-4637-bb3f-a12568109d35': NO_WARN,
  'asrExclusions.e6db77e5-3df2-4cf1-b95a-636979351e5b': 'the WMI-persistence rule takes no per-rule exclusions (ASR rules reference); the setting is gone',
  'firewallRules.rules':
    'Firewall CSP corrections: localUserAuthorizedList is the real node name (the old property is refused) and IcmpTypesAndCodes refuses *:*',
};

const cases = Object.entries(accepted.kinds).flatMap(([kind, settings]) =>
  Object.entries(settings)
    .filter(([id]) => ACCEPTED_NARROWINGS[id] === undefined)
    .map(([id, schema]) => [kind, id, schema] as const),
);

describe(`values accepted at ${accepted.acceptedAt} are still accepted`, () => {
  it('the snapshot covers every kind and a setting of each', () => {
    expect(Object.keys(accepted.kinds).sort()).toEqual([...POLICY_KINDS].sort());
    expect(cases.length).toBeGreaterThan(200);
  });

  it.each(cases)('%s %s', (kind, id, schema) => {
    const validate = current.get(kind as PolicyKind);
    if (!validate) throw new Error(`kind ${kind} no longer exists`);
    fc.assert(
      fc.property(arbitraryOf(schema), (value) => {
        const ok = validate({ [id]: value });
        expect(ok, `${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }),
      { seed: 16, numRuns: 25 },
    );
  });
});
