// Hostile values in firewall rules and profile settings: rule names, descriptions, SDDL and program paths with quotes,
// backticks, ; & | $() %VAR% and newlines pass the catalog schema and must reach the MDM bridge only as JSON on stdin;
// NUL is refused with a clear error before anything runs; "/" in a rule name is refused by the schema.
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../../common/validation.js';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { WindowsFirewallProvider } from './firewall.js';
import { FIREWALL_RULES_SETTING, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, ruleId } from './firewall-rules-map.js';
import { FIREWALL_RULES_APPLY, FIREWALL_RULES_SCRIPTS } from './firewall-rules-scripts.js';
import { FIREWALL_APPLY, FIREWALL_BRIDGE, FIREWALL_HEALTH, FIREWALL_OBSERVE } from './firewall-scripts.js';
import { fullScript } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const HOSTILE = [
  `"; Remove-NetFirewallRule -All; "`,
  `'; Set-NetFirewallProfile -All -Enabled False; '`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a PowerShell variable expansion, deliberately not a template
  '`whoami` $(Stop-Computer -Force) ${env:PATH}',
  'a; b & c | d && e || f',
  '%COMSPEC% & calc.exe %TEMP%\\..\\..',
  // Line separators the catalog allows (CR and LF it refuses, see below); PowerShell must still see one string.
  'line one\u2028line two\u2029Invoke-Expression "x"',
  '@{ Name = 1 } -and $true',
  'Zugriff für Drucker ✓',
];

function hostileItems(): FirewallRuleItem[] {
  return HOSTILE.map((h, i) => ({
    name: `${h} #${i}`,
    description: h,
    direction: 'OUT',
    action: 0,
    filePath: `C:\\Program Files\\${h}\\app.exe`,
    serviceName: h.slice(0, 200),
    packageFamilyName: h.slice(0, 200),
    fqbn: `O=${h}, C=US`,
    localUserAuthorizedList: h,
    enabled: true,
  }));
}

describe('hostile firewall rule values', () => {
  it('are valid items for the schema, so they must be inert data', () => {
    expect(() =>
      validatePolicySettings({ kind: 'firewallRules', settings: { [FIREWALL_RULES_SETTING]: hostileItems() as unknown as SettingValue } }, 'hostile'),
    ).not.toThrow();
  });

  it('line breaks, NUL and other control characters are refused by the catalog, as at the endpoint', () => {
    for (const bad of ['a\nb', 'a\r\nb', 'a\u0000b', 'a\u001b[2Jb']) {
      const settings = { [FIREWALL_RULES_SETTING]: [{ name: 'r', description: bad }] as unknown as SettingValue };
      expect(() => validatePolicySettings({ kind: 'firewallRules', settings }, 'hostile')).toThrow(
        /^hostile is invalid: \/settings\/firewallRules\.rules\/0\/description must not contain control characters/,
      );
    }
  });

  it('travel only in stdin JSON: never in the command line, never in the script text', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    const items = hostileItems();
    const [result] = await provider.apply([
      { settingId: FIREWALL_RULES_SETTING, kind: 'firewallRules', from: undefined, to: items as unknown as SettingValue },
    ]);
    expect(result).toEqual({ settingId: FIREWALL_RULES_SETTING, ok: true });
    const scripts = [...FIREWALL_RULES_SCRIPTS, FIREWALL_APPLY, FIREWALL_BRIDGE, FIREWALL_HEALTH, FIREWALL_OBSERVE].map((s) => s.text).join('\n');
    for (const call of fw.runner.calls) {
      const commandLine = call.args.join(' ');
      for (const h of HOSTILE) {
        expect(commandLine).not.toContain(h);
        expect(scripts).not.toContain(h);
      }
    }
    // The apply call's stdin carries every value verbatim as JSON strings.
    const plan = JSON.parse(fw.runner.calls[1]?.stdin ?? '');
    expect(plan.create.map((c: { Rule: { Name: string } }) => c.Rule.Name)).toEqual(items.map((i) => i.name));
    // The bridge stores them as given under a node name derived from the name (never the name itself), and they read
    // back as the same items.
    for (const item of items) {
      const node = fw.rules.mdm.get(ruleId(item.name));
      expect(node?.rule).toMatchObject({ Name: item.name, Description: item.description, LocalUserAuthorizedList: item.localUserAuthorizedList });
      expect(node?.app).toEqual({ FilePath: item.filePath, ServiceName: item.serviceName, PackageFamilyName: item.packageFamilyName, Fqbn: item.fqbn });
      expect(plan.create.every((c: { InstanceID: string }) => /^Attache-[0-9a-f]{32}$/.test(c.InstanceID))).toBe(true);
    }
    const seen = (await provider.observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING);
    expect(seen).toEqual(items);
  });

  it('non-ASCII names survive: stdin is UTF-8 JSON and the script decodes it as UTF-8, not the OEM code page', () => {
    expect(fullScript(FIREWALL_RULES_APPLY)).toContain(
      '[System.IO.StreamReader]::new([Console]::OpenStandardInput(), [System.Text.UTF8Encoding]::new($false))',
    );
  });

  it('refuses a NUL byte with a clear error before running anything', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: '{"ok":true,"result":{"rules":[],"active":[],"legacy":0}}' }));
    const provider = new WindowsFirewallRulesProvider({ runner });
    for (const item of [
      { name: 'evil\0name' },
      { name: 'ok', description: 'a\0b' },
      { name: 'ok', filePath: 'C:\\a.exe\0.txt' },
      { name: 'ok', remoteAddressRanges: ['10.0.0.1\0'] },
    ]) {
      const [r] = await provider.apply([{ settingId: FIREWALL_RULES_SETTING, kind: 'firewallRules', from: undefined, to: [item] }]);
      expect(r).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/contains a NUL character/) });
    }
    expect(runner.calls).toHaveLength(0);
  });

  it('a "/" in a rule name is refused by the catalog schema', () => {
    expect(() => validatePolicySettings({ kind: 'firewallRules', settings: { [FIREWALL_RULES_SETTING]: [{ name: 'a/b' }] } }, 'policy')).toThrow(
      /firewallRules\.rules\/0\/name/,
    );
  });
});

describe('hostile firewall profile values', () => {
  it('a hostile log path is data on stdin and is stored verbatim', async () => {
    const fw = new EmulatedWindowsFirewall();
    const path = `%SystemRoot%\\x"; Set-NetFirewallProfile -All -Enabled False; $(calc) \`n.log`;
    const [r] = await new WindowsFirewallProvider({ runner: fw.runner }).apply([
      { settingId: 'firewall.domainProfile.LogFilePath', kind: 'firewall', from: undefined, to: path },
    ]);
    expect(r).toMatchObject({ ok: true });
    expect(fw.runner.calls[0]?.args.join(' ')).not.toContain(path);
    expect(JSON.parse(fw.runner.calls[0]?.stdin ?? '')).toEqual({ instances: [{ instance: 'DomainProfile', values: { LogFilePath: path } }] });
    expect(fw.mdm.get('DomainProfile')).toEqual({ LogFilePath: path });
    expect(fw.activeProfile('Domain').LogFileName).toBe(path);
    expect(fw.mdm.has('PrivateProfile')).toBe(false);
  });

  it('a NUL in a log path is refused before running anything', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: '{"ok":true,"result":{"results":[]}}' }));
    const [r] = await new WindowsFirewallProvider({ runner }).apply([
      { settingId: 'firewall.domainProfile.LogFilePath', kind: 'firewall', from: undefined, to: 'C:\\a\0.log' },
    ]);
    expect(r).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(runner.calls).toHaveLength(0);
  });
});
