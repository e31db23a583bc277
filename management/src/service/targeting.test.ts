// Unit tests of pure targeting: dynamic rule evaluation (incl. Intune's device OS), semver order, and that exclusion
// always wins over inclusion.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceOs, DynamicGroupRule } from '../../../policy-schemas/src/index.js';
import {
  assignedPolicyIds,
  compareSemver,
  conditionHolds,
  deviceOs,
  normaliseTags,
  type RuleSubject,
  ruleMatches,
  type TargetingAssignment,
} from './targeting.js';

const WIN: RuleSubject = { platform: 'windows', osVersion: '10.0.20348', agentVersion: '1.4.0', tags: ['MDE-Management', 'Servers'] };

describe('ruleMatches', () => {
  it('evaluates platform, osVersion prefix, tags (case-insensitive) and agentVersion with all/any', () => {
    const all: DynamicGroupRule = {
      match: 'all',
      conditions: [
        { attribute: 'platform', equals: 'windows' },
        { attribute: 'osVersion', startsWith: '10.0.2' },
        { attribute: 'tags', contains: 'mde-management' },
        { attribute: 'agentVersion', op: '>=', value: '1.2.0' },
      ],
    };
    expect(ruleMatches(all, WIN)).toBe(true);
    expect(ruleMatches(all, { ...WIN, platform: 'linux' })).toBe(false);
    expect(ruleMatches(all, { ...WIN, tags: [] })).toBe(false);
    expect(ruleMatches(all, { ...WIN, agentVersion: '1.1.9' })).toBe(false);
    const any: DynamicGroupRule = {
      match: 'any',
      conditions: [
        { attribute: 'platform', equals: 'macos' },
        { attribute: 'agentVersion', op: '<', value: '1.0.0' },
      ],
    };
    expect(ruleMatches(any, WIN)).toBe(false);
    expect(ruleMatches(any, { ...WIN, agentVersion: '0.9.0' })).toBe(true);
    expect(ruleMatches(any, { ...WIN, platform: 'macos' })).toBe(true);
  });

  it('never matches an agentVersion condition on a version that is not semver', () => {
    const rule: DynamicGroupRule = { match: 'all', conditions: [{ attribute: 'agentVersion', op: '<', value: '9.0.0' }] };
    expect(ruleMatches(rule, { ...WIN, agentVersion: 'dev' })).toBe(false);
  });
});

describe('os condition (Intune device OS)', () => {
  const SERVER: RuleSubject = { ...WIN, osType: 'server' };
  const CLIENT: RuleSubject = { ...WIN, osVersion: '10.0.22631', osType: 'workstation' };
  const UNSTATED: RuleSubject = { ...WIN, osVersion: '10.0.19045' };
  const MAC: RuleSubject = { ...WIN, platform: 'macos', osVersion: '14.6.1' };
  const LINUX: RuleSubject = { ...WIN, platform: 'linux', osVersion: '6.8.0', osType: 'server' };
  const os = (equals: DeviceOs): DynamicGroupRule => ({ match: 'all', conditions: [{ attribute: 'os', equals }] });

  it('tells Windows Server from Windows client; a device that states no osType is a client', () => {
    const devices = { SERVER, CLIENT, UNSTATED, MAC, LINUX };
    const matched = (equals: DeviceOs) =>
      Object.entries(devices)
        .filter(([, d]) => ruleMatches(os(equals), d))
        .map(([name]) => name);
    expect(matched('windows')).toEqual(['CLIENT', 'UNSTATED']);
    expect(matched('windowsServer')).toEqual(['SERVER']);
    expect(matched('macos')).toEqual(['MAC']);
    // osType does not split Linux (or macOS): Intune has one Linux device OS.
    expect(matched('linux')).toEqual(['LINUX']);
    expect([SERVER, CLIENT, UNSTATED, MAC, LINUX].map(deviceOs)).toEqual(['windowsServer', 'windows', 'windows', 'macos', 'linux']);
  });

  it('leaves the platform condition matching every Windows device, server or not', () => {
    const windows = { attribute: 'platform', equals: 'windows' } as const;
    expect([SERVER, CLIENT, UNSTATED, MAC].map((d) => conditionHolds(windows, d))).toEqual([true, true, true, false]);
  });

  it('combines with other conditions under all/any', () => {
    const taggedServers: DynamicGroupRule = {
      match: 'all',
      conditions: [
        { attribute: 'os', equals: 'windowsServer' },
        { attribute: 'tags', contains: 'MDE-Management' },
      ],
    };
    expect(ruleMatches(taggedServers, SERVER)).toBe(true);
    expect(ruleMatches(taggedServers, { ...SERVER, tags: [] })).toBe(false);
    expect(ruleMatches(taggedServers, CLIENT)).toBe(false);
    const serversOrMacs: DynamicGroupRule = {
      match: 'any',
      conditions: [
        { attribute: 'os', equals: 'windowsServer' },
        { attribute: 'os', equals: 'macos' },
      ],
    };
    expect([SERVER, CLIENT, UNSTATED, MAC, LINUX].map((d) => ruleMatches(serversOrMacs, d))).toEqual([true, false, false, true, false]);
  });
});

describe('compareSemver', () => {
  it('orders numerically, pre-releases before their release, build metadata ignored', () => {
    expect(compareSemver('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareSemver('1.0.0-beta.2', '1.0.0')).toBeLessThan(0);
    expect(compareSemver('1.0.0-beta.2', '1.0.0-beta.10')).toBeLessThan(0);
    expect(compareSemver('1.0.0-alpha', '1.0.0-1')).toBeGreaterThan(0);
    expect(compareSemver('1.0.0+abc', '1.0.0')).toBe(0);
  });
});

describe('normaliseTags', () => {
  it('dedupes case-insensitively and sorts', () => {
    expect(normaliseTags(['b', 'A', 'a', 'B'])).toEqual(['A', 'b']);
  });
});

describe('assignedPolicyIds', () => {
  it('is the included policies minus the excluded ones', () => {
    const assignments: TargetingAssignment[] = [
      { policyId: 'p1', groupId: 'g1', mode: 'include' },
      { policyId: 'p2', groupId: 'g1', mode: 'include' },
      { policyId: 'p2', groupId: 'g2', mode: 'exclude' },
      { policyId: 'p3', groupId: 'g3', mode: 'include' },
    ];
    expect(assignedPolicyIds(['g1'], assignments)).toEqual(['p1', 'p2']);
    expect(assignedPolicyIds(['g1', 'g2'], assignments)).toEqual(['p1']);
  });

  it('property: a policy excluded through any of the device’s groups is never assigned, whatever includes it', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd');
    const assignment = fc.record({ policyId: id, groupId: id, mode: fc.constantFrom('include' as const, 'exclude' as const) });
    fc.assert(
      fc.property(fc.array(assignment, { maxLength: 30 }), fc.subarray(['a', 'b', 'c', 'd']), (assignments, groups) => {
        const result = new Set(assignedPolicyIds(groups, assignments));
        for (const a of assignments) {
          if (!groups.includes(a.groupId)) continue;
          if (a.mode === 'exclude') expect(result.has(a.policyId)).toBe(false);
          const excluded = assignments.some((x) => x.policyId === a.policyId && x.mode === 'exclude' && groups.includes(x.groupId));
          if (a.mode === 'include' && !excluded) expect(result.has(a.policyId)).toBe(true);
        }
        for (const p of result) expect(assignments.some((x) => x.policyId === p && x.mode === 'include' && groups.includes(x.groupId))).toBe(true);
      }),
    );
  });
});
