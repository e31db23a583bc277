// Shared validation: documents against their schemas, policy settings against the catalog, and readable error details.
import { describe, expect, it } from 'vitest';
import { PolicyDocument } from '../policy-schemas/src/index.js';
import { AttacheError } from './errors.js';
import { validate, validateById, validatePolicySettings, validateSettingLimits } from './validation.js';

const antivirus = {
  name: 'Baseline AV',
  kind: 'antivirus',
  settings: { 'defender.AllowRealtimeMonitoring': 1, 'defender.AvgCPULoadFactor': 30, 'mdatp.antivirusEngine.enforcementLevel': 'real_time' },
};

/** Runs `fn`, expects an AttacheError, returns it. */
function caught(fn: () => unknown): AttacheError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AttacheError);
    return err as AttacheError;
  }
  throw new Error('expected an AttacheError, nothing was thrown');
}

describe('validate', () => {
  it('passes a valid policy document through, typed', () => {
    const doc = validate(PolicyDocument, antivirus, 'policy');
    expect(doc.kind).toBe('antivirus');
    expect(() => validatePolicySettings(doc)).not.toThrow();
  });

  it('reports SCHEMA_INVALID with the path and the problem', () => {
    const err = caught(() => validate(PolicyDocument, { ...antivirus, name: '' }, 'policy'));
    expect(err.code).toBe('SCHEMA_INVALID');
    expect(err.message).toMatch(/^policy is invalid: \/name /);
    expect(err.details).toContainEqual({ path: '/name', message: expect.stringContaining('fewer than 1') });
  });

  it('names unknown and missing properties', () => {
    const err = caught(() => validate(PolicyDocument, { kind: 'antivirus', settings: {}, extra: 1 }, 'policy'));
    expect(err.details).toContainEqual({ path: '/', message: 'unknown property "extra"' });
    expect(err.details).toContainEqual({ path: '/', message: 'missing required property "name"' });
  });

  it('folds a union of literals into "must be one of ..."', () => {
    const err = caught(() => validate(PolicyDocument, { ...antivirus, kind: 'deviceControl' }, 'policy'));
    const kinds =
      '"antivirus", "antivirusExclusions", "defenderUpdate", "securityExperience", "firewall", "firewallRules", "edr", "asr", "linuxFirewall", "indicators"';
    expect(err.details).toEqual([{ path: '/kind', message: `must be one of ${kinds}` }]);
    expect(err.message).toBe(`policy is invalid: /kind must be one of ${kinds}`);
  });

  it('uses the code the caller asks for', () => {
    expect(caught(() => validate(PolicyDocument, {}, 'config', 'CONFIG_INVALID')).code).toBe('CONFIG_INVALID');
  });

  it('refuses an unknown schema id as a programming error, not a validation failure', () => {
    expect(() => validateById('urn:attache:nope', {}, 'x')).toThrow(/no schema registered/);
  });
});

describe('validatePolicySettings', () => {
  it('rejects an unknown setting id with POLICY_INVALID at /settings, naming it', () => {
    const err = caught(() => validatePolicySettings({ kind: 'antivirus', settings: { 'defender.NoSuchThing': 1 } }));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.details).toEqual([{ path: '/settings', message: 'unknown antivirus setting "defender.NoSuchThing"' }]);
    expect(err.message).toContain('defender.NoSuchThing');
  });

  it('rejects a setting of another kind as unknown for this kind', () => {
    const err = caught(() => validatePolicySettings({ kind: 'firewall', settings: { 'defender.AllowRealtimeMonitoring': 1 } }));
    expect(err.details).toEqual([
      { path: '/settings', message: 'unknown firewall setting "defender.AllowRealtimeMonitoring": this setting belongs to kind antivirus' },
    ]);
  });

  it('names the setting path for an out-of-range integer', () => {
    const err = caught(() => validatePolicySettings({ kind: 'antivirus', settings: { 'defender.AvgCPULoadFactor': 101 } }));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.details).toEqual([{ path: '/settings/defender.AvgCPULoadFactor', message: 'must be <= 100' }]);
  });

  it('names the setting path and the allowed values for a disallowed enum value', () => {
    const integer = caught(() => validatePolicySettings({ kind: 'antivirus', settings: { 'defender.CloudBlockLevel': 1 } }));
    expect(integer.details).toEqual([{ path: '/settings/defender.CloudBlockLevel', message: 'must be one of 0, 2, 4, 6' }]);
    const string = caught(() => validatePolicySettings({ kind: 'antivirus', settings: { 'mdatp.antivirusEngine.enforcementLevel': 'off' } }));
    expect(string.details).toEqual([
      { path: '/settings/mdatp.antivirusEngine.enforcementLevel', message: 'must be one of "real_time", "on_demand", "passive"' },
    ]);
  });

  it('rejects a value of the wrong type', () => {
    const err = caught(() => validatePolicySettings({ kind: 'firewall', settings: { 'firewall.publicProfile.EnableFirewall': 1 } }));
    expect(err.details).toEqual([{ path: '/settings/firewall.publicProfile.EnableFirewall', message: 'must be boolean' }]);
  });

  it('rejects an empty settings object', () => {
    expect(caught(() => validatePolicySettings({ kind: 'antivirus', settings: {} })).code).toBe('POLICY_INVALID');
  });

  it('reports every problem in details, the first in the message', () => {
    const err = caught(() =>
      validatePolicySettings({ kind: 'antivirus', settings: { 'defender.AvgCPULoadFactor': -1, 'defender.Bogus': true } }, 'policy "AV"'),
    );
    expect(err.details.map((d) => d.path).sort()).toEqual(['/settings', '/settings/defender.AvgCPULoadFactor']);
    expect(err.message).toMatch(/^policy "AV" is invalid: \/settings/);
  });
});

describe('validateSettingLimits', () => {
  it('refuses a second GROUP tag at submission, naming the setting, while the stored shape still verifies', () => {
    const edr = { kind: 'edr' as const, settings: { 'mdatp.edr.tags': ['finance', 'paw'] } };
    // A policy signed before the limit existed keeps verifying (stored, cached): only submission and apply refuse it.
    expect(() => validatePolicySettings(edr)).not.toThrow();
    const err = caught(() => validateSettingLimits(edr, 'policy "EDR"'));
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.message).toBe('policy "EDR" is invalid: /settings/mdatp.edr.tags accepts one value only (one value per tag type), got 2');
    expect(err.details).toEqual([{ path: '/settings/mdatp.edr.tags', message: 'accepts one value only (one value per tag type), got 2' }]);
    expect(() => validateSettingLimits({ settings: { 'mdatp.edr.tags': ['finance'], 'defender.ExcludedPaths': ['C:\\a', 'C:\\b'] } })).not.toThrow();
  });
});
