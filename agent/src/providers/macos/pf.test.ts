// macOS pf rules at the boundary: the exact pfctl commands and stdin for a full policy (golden), the enable reference
// (taken once, released on removal, retaken after `pfctl -d`), read-back of recorded `-s rules` output, and hostile
// rule values that must never reach pf.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../../common/validation.js';
import { type SettingValue, settingById } from '../../../../policy-schemas/src/index.js';
import { valuesEqual } from '../../core/plan.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { FilePfTokenStore, MemoryPfTokenStore, PF_ANCHOR, PF_SETTING_ID, PFCTL, PfRulesProvider } from './pf.js';
import { itemsFromRules, parseAnchorRules, parseEnableToken, parsePfStatus } from './pf-parse.js';
import { PfctlEmulator } from './testing/pf-emulator.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/pf-${name}.txt`, import.meta.url), 'utf8');
const EXAMPLES = settingById(PF_SETTING_ID)?.itemExamples as Record<string, unknown>[];
const change = (to: SettingValue | undefined) => ({ settingId: PF_SETTING_ID, kind: 'firewallRules' as const, from: undefined, to });
const LOAD = ['-a', PF_ANCHOR, '-o', 'none', '-f', '-'];

function setup() {
  const pf = new PfctlEmulator();
  const tokens = new MemoryPfTokenStore();
  return { pf, tokens, provider: new PfRulesProvider({ runner: pf.runner, tokens }) };
}

async function observed(provider: PfRulesProvider): Promise<SettingValue | undefined> {
  return (await provider.observe([PF_SETTING_ID])).get(PF_SETTING_ID);
}

describe('pfctl output parsers (golden files)', () => {
  it('reads the status and the enable token', () => {
    expect(parsePfStatus(golden('info-enabled'))).toBe('enabled');
    expect(parsePfStatus(golden('info-disabled'))).toBe('disabled');
    expect(() => parsePfStatus('pfctl: /dev/pf: Permission denied')).toThrow(/Status/);
    expect(parseEnableToken(golden('enable-stderr'))).toBe('7906376473282237287');
    expect(() => parseEnableToken('pf enabled\nToken : 12; rm -rf /\n')).toThrow(/Token/);
  });

  it('reads the recorded rules of the full policy back into exactly its items, without any memory of the apply', () => {
    const items = itemsFromRules(parseAnchorRules(golden('rules-full-policy')), new Map());
    expect(valuesEqual(items as SettingValue, EXAMPLES as SettingValue)).toBe(true);
  });

  it('flags rules that were changed, added or cannot be read, instead of guessing', () => {
    const items = itemsFromRules(parseAnchorRules(golden('rules-tampered')), new Map());
    expect(items).toEqual([
      // Half of the tcp/udp x 137-139/445 expansion is gone: adds up to no policy item.
      {
        name: 'block smb and netbios',
        unrecognizedPfRules: [
          '@0 block drop in quick proto tcp from any to any port 137:139 label "attache:block smb and netbios"',
          '@1 block drop in quick proto udp from any to any port 445:445 label "attache:block smb and netbios"',
        ],
      },
      // A consistent, but different, rule: read as what it is, so the engine sees the drift.
      { name: 'ssh from intranet', direction: 'in', action: 'pass', protocol: 'tcp', localPorts: '22', remoteAddresses: ['10.0.0.0/8'] },
      {
        name: '(not written by this agent)',
        unrecognizedPfRules: [
          '@3 pass in quick inet proto tcp from any to any port = ssh flags S/SA keep state',
          '@4 pass in quick on en0 all flags S/SA keep state label "attache:ping"',
        ],
      },
    ]);
  });
});

describe('PfRulesProvider at the boundary', () => {
  it('loads a full policy into its anchor with exactly these commands and reads it back', async () => {
    const { pf, tokens, provider } = setup();
    expect(await provider.apply([change(EXAMPLES)])).toEqual([{ settingId: PF_SETTING_ID, ok: true }]);
    expect(pf.argv).toEqual([LOAD, ['-E']]);
    expect(pf.runner.calls.every((c) => c.file === PFCTL)).toBe(true);
    expect(pf.runner.calls[0]?.stdin).toBe(golden('load-full-policy'));
    expect(
      pf.anchors
        .get(PF_ANCHOR)
        ?.map((l) => `${l}\n`)
        .join(''),
    ).toBe(golden('rules-full-policy'));
    expect([...pf.anchors.keys()]).toEqual([PF_ANCHOR]);
    expect(pf.enabled).toBe(true);
    expect(await tokens.read()).toBe([...pf.references][0]);

    pf.runner.calls.length = 0;
    expect(valuesEqual(await observed(provider), EXAMPLES as SettingValue)).toBe(true);
    expect(pf.argv).toEqual([
      ['-s', 'info'],
      ['-a', PF_ANCHOR, '-s', 'rules'],
    ]);
  });

  it('keeps one reference while it re-applies, and releases it on removal so pf goes back off', async () => {
    const { pf, tokens, provider } = setup();
    await provider.apply([change(EXAMPLES)]);
    const token = await tokens.read();
    pf.runner.calls.length = 0;
    await provider.apply([change(EXAMPLES.slice(0, 2))]);
    expect(pf.argv).toEqual([LOAD, ['-s', 'info']]);
    expect(pf.references.size).toBe(1);

    pf.runner.calls.length = 0;
    expect(await provider.apply([change(undefined)])).toEqual([{ settingId: PF_SETTING_ID, ok: true }]);
    expect(pf.argv).toEqual([
      ['-a', PF_ANCHOR, '-F', 'rules'],
      ['-X', token],
    ]);
    expect(pf.enabled).toBe(false);
    expect(pf.anchors.size).toBe(0);
    expect(await tokens.read()).toBeUndefined();
    expect(await observed(provider)).toEqual([]);
  });

  it('leaves pf on for another component that holds its own reference', async () => {
    const { pf, provider } = setup();
    pf.references.add('42');
    pf.enabled = true;
    await provider.apply([change(EXAMPLES)]);
    expect(pf.references.size).toBe(2);
    await provider.apply([change([])]);
    expect([...pf.references]).toEqual(['42']);
    expect(pf.enabled).toBe(true);
  });

  it('sees rules as not in force after pfctl -d, and takes a new reference on the next apply', async () => {
    const { pf, tokens, provider } = setup();
    await provider.apply([change(EXAMPLES)]);
    const first = await tokens.read();
    pf.enabled = false;
    pf.references.clear();
    expect(await observed(provider)).toEqual([]);
    await provider.apply([change(EXAMPLES)]);
    expect(pf.enabled).toBe(true);
    expect(await tokens.read()).not.toBe(first);
  });

  it('reads the policy spelling back for rules pf holds, and pf notation after a restart', async () => {
    const rule = { name: 'lab', direction: 'out', action: 'block', protocol: 'udp', remotePorts: '53,52', remoteAddresses: ['10.1.2.3/8', '2001:0DB8::/32'] };
    const { pf, tokens, provider } = setup();
    await provider.apply([change([rule])]);
    expect(await observed(provider)).toEqual([rule]);
    const restarted = new PfRulesProvider({ runner: pf.runner, tokens });
    expect(await observed(restarted)).toEqual([{ ...rule, remotePorts: '52-53', remoteAddresses: ['10.0.0.0/8', '2001:db8::/32'] }]);
  });

  it('sees a rule changed in pf behind its back as drift, not as the value it applied', async () => {
    const { pf, provider } = setup();
    await provider.apply([change(EXAMPLES)]);
    const rules = pf.anchors.get(PF_ANCHOR) as string[];
    pf.anchors.set(
      PF_ANCHOR,
      rules.filter((l) => !l.includes('inet6 proto tcp')),
    );
    const seen = (await observed(provider)) as Record<string, unknown>[];
    expect(valuesEqual(seen as SettingValue, EXAMPLES as SettingValue)).toBe(false);
    expect(seen.find((i) => i.name === 'ssh from intranet')).toMatchObject({ remoteAddresses: ['10.0.0.0/8'] });
    // The next apply puts the anchor back.
    await provider.apply([change(EXAMPLES)]);
    expect(pf.anchors.get(PF_ANCHOR)).toEqual(rules);
  });

  it('treats an anchor pf does not know (never loaded, or flushed) as no rules', async () => {
    const runner = new ScriptedCommandRunner((spec) =>
      spec.args[0] === '-s' ? { stdout: golden('info-enabled') } : { code: 1, stderr: golden('rules-no-anchor-stderr') },
    );
    expect(await observed(new PfRulesProvider({ runner }))).toEqual([]);
  });

  it('changes nothing and takes no reference when pfctl refuses the rules', async () => {
    const runner = new ScriptedCommandRunner((spec) => (spec.args.includes('-f') ? { code: 1, stderr: 'stdin:2: syntax error\n' } : {}));
    const [result] = await new PfRulesProvider({ runner }).apply([change(EXAMPLES)]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringContaining('syntax error') });
    expect(runner.calls.map((c) => c.args)).toEqual([LOAD]);
  });

  it('fails clearly without pfctl, and names what it cannot enforce', async () => {
    const provider = new PfRulesProvider({ runner: new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT' })) });
    await expect(provider.observe([PF_SETTING_ID])).rejects.toThrow(/cannot start/);
    expect((await provider.apply([change(EXAMPLES)]))[0]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(provider.unsupportedReason('firewallRules.rules')).toMatch(/not enforced on macOS/);
  });

  it('refuses ports on an icmp rule before running anything', async () => {
    const { pf, provider } = setup();
    const [result] = await provider.apply([change([{ name: 'p', direction: 'in', action: 'pass', protocol: 'icmp', localPorts: '1' }])]);
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/ports need protocol tcp, udp or any/) });
    expect(pf.runner.calls).toEqual([]);
  });

  it('keeps the token in a root-only file, and ignores a file that holds anything but a token', async () => {
    const files = new MemoryFileStore();
    const store = new FilePfTokenStore(files, '/var/lib/attache/pf-token');
    await store.write('123');
    expect(files.files.get('/var/lib/attache/pf-token')).toEqual({ data: '123\n', mode: 0o600 });
    expect(await store.read()).toBe('123');
    await files.writeAtomic('/var/lib/attache/pf-token', '1; pfctl -d');
    expect(await store.read()).toBeUndefined();
    await store.write(undefined);
    expect(files.files.size).toBe(0);
  });
});

describe('hostile rule values never reach pf', () => {
  const base = { name: 'r', direction: 'in', action: 'pass', protocol: 'tcp' };
  const hostile: [string, Record<string, unknown>][] = [
    ['quote breaking out of the label', { ...base, name: 'x" pass all "' }],
    ['backticks', { ...base, name: 'a`id`' }],
    ['semicolon', { ...base, name: 'a; pfctl -d' }],
    ['pipe', { ...base, name: 'a|b' }],
    ['ampersand', { ...base, name: 'a&b' }],
    ['command substitution', { ...base, name: '$(id)' }],
    ['pf macro in a label', { ...base, name: 'x$nr' }],
    ['newline starting a new rule', { ...base, name: 'x\npass all' }],
    ['NUL', { ...base, name: 'x\u0000' }],
    ['%VAR%', { ...base, name: '%PATH%' }],
    ['path traversal', { ...base, name: '../x' }],
    ['over-long label', { ...base, name: 'n'.repeat(56) }],
    ['address with a rule after it', { ...base, remoteAddresses: ['10.0.0.0/8 } pass all {'] }],
    ['address with a newline', { ...base, remoteAddresses: ['10.0.0.1\npass all'] }],
    ['port with a rule after it', { ...base, localPorts: '22 } pass all {' }],
    ['unknown field', { ...base, interface: 'en0' }],
  ];

  it.each(hostile)('%s: the schema refuses it with a clear error and the provider runs nothing', async (_what, item) => {
    expect(() => validatePolicySettings({ kind: 'firewallRules', settings: { [PF_SETTING_ID]: [item] } }, 'policy')).toThrow(
      /policy is invalid: \/settings\/firewallRules\.pfRules\/0/,
    );
    const { pf, provider } = setup();
    const [result] = await provider.apply([change([item] as SettingValue)]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(pf.runner.calls).toEqual([]);
  });

  it('writes a valid name only inside the quoted label', async () => {
    const { pf, provider } = setup();
    await provider.apply([change([{ ...base, name: 'Web 2.0_admin-ui' }])]);
    expect(pf.runner.calls[0]?.stdin).toContain('pass in quick proto tcp all label "attache:Web 2.0_admin-ui"\n');
  });
});
