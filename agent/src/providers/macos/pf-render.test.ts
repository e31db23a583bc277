// The pf rule model: values, rendering of each rule shape, and the round trip policy → pf text → pfctl (emulated) →
// `-s rules` → policy item, as a property over generated rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PF_ANCHOR } from './pf.js';
import { itemsFromRules, parseAnchorRules } from './pf-parse.js';
import { atomKey, expandPfRule, normalizePfRule, type PfRule, PfRuleError, renderPfRule, renderPfRuleset } from './pf-render.js';
import { formatNetwork, mergePorts, parseNetwork, parsePortList, pfPort, policyPorts } from './pf-values.js';
import { PfctlEmulator } from './testing/pf-emulator.js';

describe('pf values', () => {
  // The parsing rules themselves are core/net-address.ts's (tested there); here pf's family names and port syntax.
  it('names families as pf does, with IPv4-mapped IPv6 in inet, and prints networks canonically', () => {
    expect(parseNetwork('10.1.2.3/8')).toEqual({ family: 'inet', address: 0x0a000000n, prefix: 8 });
    expect(parseNetwork('::ffff:10.0.0.1')).toEqual({ family: 'inet', address: 0x0a000001n, prefix: 32 });
    expect(formatNetwork(parseNetwork('2001:db8:0:1:0:0:0:0/64'))).toBe('2001:db8:0:1::/64');
    for (const bad of ['010.0.0.1', '10.0.0.0/33', 'any', '10.0.0.0/8 }']) expect(() => parseNetwork(bad)).toThrow();
  });

  it('reduces port lists to sorted, joined ranges in the policy notation and writes pf ranges inclusive', () => {
    expect(policyPorts(mergePorts(parsePortList('445,137-139,138,140')))).toBe('137-140,445');
    expect(parsePortList('22').map(pfPort)).toEqual(['22:22']);
  });
});

const rule = (r: Partial<PfRule>) => normalizePfRule({ name: 'r', direction: 'in', action: 'pass', protocol: 'tcp', ...r });

describe('pf rendering', () => {
  it('writes each rule shape', () => {
    expect(renderPfRule(rule({}))).toEqual(['pass in quick proto tcp all label "attache:r"']);
    expect(renderPfRule(rule({ direction: 'out', action: 'blockReturn', protocol: 'udp', localPorts: '5353', remoteAddresses: ['0.0.0.0/0'] }))).toEqual([
      'block return out quick proto udp from any port 5353:5353 to 0.0.0.0/0 label "attache:r"',
    ]);
    expect(renderPfRule(rule({ action: 'block', protocol: 'any' }))).toEqual(['block drop in quick all label "attache:r"']);
    expect(renderPfRule(rule({ protocol: 'icmp', remoteAddresses: ['fe80::/10'] }))).toEqual([
      'pass in quick inet6 proto ipv6-icmp from fe80::/10 to any label "attache:r"',
    ]);
  });

  it('orders block rules before pass rules, each by name, and refuses a name twice', () => {
    const text = renderPfRuleset([rule({ name: 'b' }), rule({ name: 'a' }), rule({ name: 'z', action: 'block' })], PF_ANCHOR);
    expect(
      text
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(' label ')[1]),
    ).toEqual(['"attache:z"', '"attache:a"', '"attache:b"']);
    expect(() => renderPfRuleset([rule({}), rule({})], PF_ANCHOR)).toThrow(PfRuleError);
  });
});

const ruleArbitrary: fc.Arbitrary<PfRule> = fc
  .record(
    {
      name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,20}$/),
      direction: fc.constantFrom('in' as const, 'out' as const),
      action: fc.constantFrom('pass' as const, 'block' as const, 'blockReturn' as const),
      protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const, 'any' as const),
      localPorts: fc.array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 3 }),
      remotePorts: fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 2 }),
      remoteAddresses: fc.uniqueArray(
        fc.oneof(
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
          fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    },
    { requiredKeys: ['name', 'direction', 'action', 'protocol'] },
  )
  .map((r) => {
    const icmp = r.protocol === 'icmp';
    return {
      name: r.name,
      direction: r.direction,
      action: r.action,
      protocol: r.protocol,
      ...(r.localPorts && !icmp ? { localPorts: r.localPorts.map(([p, span]) => (span === 0 ? `${p}` : `${p}-${Math.min(65535, p + span)}`)).join(',') } : {}),
      ...(r.remotePorts && !icmp ? { remotePorts: r.remotePorts.join(',') } : {}),
      ...(r.remoteAddresses ? { remoteAddresses: r.remoteAddresses } : {}),
    };
  });

describe('pf round trip through pfctl (emulated)', () => {
  it('reads back, from pf alone, a rule that means exactly what the policy rule meant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(ruleArbitrary, { maxLength: 4, selector: (r) => r.name }), async (rules) => {
        const normalized = rules.map((r) => normalizePfRule(r));
        const pf = new PfctlEmulator();
        const load = await pf.runner.run({
          file: '/sbin/pfctl',
          args: ['-a', PF_ANCHOR, '-o', 'none', '-f', '-'],
          stdin: renderPfRuleset(normalized, PF_ANCHOR),
        });
        expect(load.code, load.stderr).toBe(0);
        const shown = await pf.runner.run({ file: '/sbin/pfctl', args: ['-a', PF_ANCHOR, '-s', 'rules'] });
        const items = itemsFromRules(parseAnchorRules(rules.length === 0 ? '' : shown.stdout), new Map());
        expect(items).toHaveLength(rules.length);
        for (const item of items) {
          expect(item).not.toHaveProperty('unrecognizedPfRules');
          const original = normalized.find((n) => n.name === item.name);
          expect(original).toBeDefined();
          const keys = (r: ReturnType<typeof normalizePfRule>) => new Set(expandPfRule(r).map(atomKey));
          expect(keys(normalizePfRule(item))).toEqual(keys(original as ReturnType<typeof normalizePfRule>));
        }
      }),
      { numRuns: 150 },
    );
  });
});
