// Tests of union error reporting: the headline names the branch that applies (by tag or by the value's JSON type).
import { describe, expect, it } from 'vitest';
import { GroupCreateRequest, PolicyDocument } from '../policy-schemas/src/index.js';
import { AttacheError } from './errors.js';
import { validate, validatePolicySettings } from './validation.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AttacheError);
    return (err as AttacheError).message;
  }
  throw new Error('expected an AttacheError, nothing was thrown');
}

const longPath = `C:\\${'a'.repeat(1022)}`;
const rule = (condition: unknown, match = 'all') => ({ name: 'g', rule: { match, conditions: [condition] } });

describe('union errors by the JSON type of the value', () => {
  it('reports a 1,025-character exclusion path as too long, not as "must be boolean"', () => {
    expect(longPath).toHaveLength(1025);
    const doc = { name: 'Exclusions', kind: 'antivirusExclusions', settings: { 'defender.ExcludedPaths': [longPath] } };
    expect(message(() => validate(PolicyDocument, doc, 'policy'))).toBe(
      'policy is invalid: /settings/defender.ExcludedPaths/0 must NOT have more than 1024 characters',
    );
  });

  it('names the allowed JSON types when no branch fits', () => {
    const doc = { name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': null } };
    expect(message(() => validate(PolicyDocument, doc, 'policy'))).toBe(
      'policy is invalid: /settings/defender.AllowRealtimeMonitoring must be boolean or integer or string or array',
    );
  });
});

describe('union errors by the tag of the value', () => {
  it('reports a bad tag in a tags condition against the tag pattern, not a missing "equals"', () => {
    expect(message(() => validate(GroupCreateRequest, rule({ attribute: 'tags', contains: 'bad tag!' }), 'group'))).toBe(
      'group is invalid: /rule/conditions/0/contains must match pattern "^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"',
    );
  });

  it('names the allowed attributes when the attribute is unknown', () => {
    expect(message(() => validate(GroupCreateRequest, rule({ attribute: 'tagz', contains: 'x' }), 'group'))).toBe(
      'group is invalid: /rule/conditions/0/attribute must be one of "platform", "os", "osVersion", "tags", "agentVersion"',
    );
  });

  it('reports a relative process path indicator against the processPath pattern, not SHA-256', () => {
    const settings = { 'indicators.items': [{ type: 'processPath', value: 'tools/nc.exe', action: 'block' }] };
    expect(message(() => validatePolicySettings({ kind: 'indicators', settings }))).toBe(
      'policy is invalid: /settings/indicators.items/0/value must be an absolute path (/… or C:\\…) without control characters',
    );
  });

  it('picks the mdatp exclusion branch by $type, per list item', () => {
    const settings = {
      'mdatp.antivirusEngine.exclusions': [
        { $type: 'excludedPath', path: `/${'a'.repeat(1024)}` },
        { $type: 'excludedFileExtension', extension: 'a/b' },
        { $type: 'excludedFolder', path: '/x' },
      ],
    };
    let details: readonly unknown[] = [];
    try {
      validatePolicySettings({ kind: 'antivirusExclusions', settings });
    } catch (err) {
      details = (err as AttacheError).details;
    }
    expect(details).toEqual([
      { path: '/settings/mdatp.antivirusEngine.exclusions/0/path', message: 'must NOT have more than 1024 characters' },
      {
        path: '/settings/mdatp.antivirusEngine.exclusions/1/extension',
        message: 'must be a file extension (optional leading ".", no "/", "\\" or control characters)',
      },
      {
        path: '/settings/mdatp.antivirusEngine.exclusions/2/$type',
        message: 'must be one of "excludedPath", "excludedFileExtension", "excludedFileName"',
      },
    ]);
  });

  it('still folds a union of literals into "must be one of"', () => {
    expect(message(() => validate(GroupCreateRequest, rule({ attribute: 'platform', equals: 'bsd' }), 'group'))).toBe(
      'group is invalid: /rule/conditions/0/equals must be one of "windows", "macos", "linux"',
    );
  });
});

describe('names', () => {
  it('refuses control and bidi characters in a policy name, naming the field', () => {
    const doc = { name: 'evil\x1b[2J\nFAKE', kind: 'antivirus', settings: {} };
    expect(message(() => validate(PolicyDocument, doc, 'policy'))).toBe(
      'policy is invalid: /name must not contain control, bidi or invisible format characters',
    );
    expect(() => validate(PolicyDocument, { ...doc, name: 'invoice\u202Efdp' }, 'policy')).toThrow(/\/name must not contain/);
    expect(() => validate(PolicyDocument, { ...doc, name: 'Défense — Ω 日本' }, 'policy')).not.toThrow();
  });
});

describe('tag of the wrong JSON type', () => {
  it('reports it at the tag', () => {
    expect(message(() => validate(GroupCreateRequest, rule({ attribute: 5, equals: 'x' }), 'group'))).toBe(
      'group is invalid: /rule/conditions/0/attribute must be string',
    );
  });
});
