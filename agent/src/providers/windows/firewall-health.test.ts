// Firewall health parsing on recorded Get-NetFirewallProfile output (PowerShell 5.1 ConvertTo-Json: enums as numbers)
// and on the health script's own output (enum names).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { parseFirewallProfiles, readFirewallHealth } from './firewall-health.js';
import { FIREWALL_HEALTH } from './firewall-scripts.js';
import { powerShellCommand } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

describe('parseFirewallProfiles', () => {
  it('reads the ActiveStore output: per profile enabled and default actions', () => {
    expect(parseFirewallProfiles(golden('firewall-get-netfirewallprofile-activestore.json'))).toEqual([
      { profile: 'Domain', enabled: true, defaultInboundAction: 'block', defaultOutboundAction: 'block' },
      { profile: 'Private', enabled: true, defaultInboundAction: 'block', defaultOutboundAction: 'allow' },
      { profile: 'Public', enabled: false, defaultInboundAction: 'allow', defaultOutboundAction: 'allow' },
    ]);
  });

  it('reports NotConfigured (GpoBoolean 2, Action 0) as unset', () => {
    const [domain] = parseFirewallProfiles(golden('firewall-get-netfirewallprofile-persistent.json'));
    expect(domain).toEqual({ profile: 'Domain', enabled: true, defaultInboundAction: undefined, defaultOutboundAction: undefined });
  });

  it('accepts one profile object, enum names, and a UTF-8 BOM', () => {
    const one = '\uFEFF{"Name":"Public","Enabled":"False","DefaultInboundAction":"Block","DefaultOutboundAction":"NotConfigured"}';
    expect(parseFirewallProfiles(one)).toEqual([{ profile: 'Public', enabled: false, defaultInboundAction: 'block', defaultOutboundAction: undefined }]);
  });

  it('skips unknown profiles and refuses what is not profile JSON', () => {
    expect(parseFirewallProfiles('[{"Name":"Guest","Enabled":1}]')).toEqual([]);
    expect(() => parseFirewallProfiles('[1,2]')).toThrow(/expected JSON objects/);
    expect(() => parseFirewallProfiles('Get-NetFirewallProfile : Access is denied')).toThrow(/^Get-NetFirewallProfile did not print JSON .*Access is denied/);
  });
});

describe('readFirewallHealth', () => {
  it('runs the constant health script and parses its output (the effective ActiveStore: a GPO value wins)', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.mdm.set('PublicProfile', { EnableFirewall: true });
    if (fw.gpo.profiles.Public) fw.gpo.profiles.Public.Enabled = 'False';
    const health = await readFirewallHealth(fw.runner);
    expect(health.map((h) => [h.profile, h.enabled])).toEqual([
      ['Domain', true],
      ['Private', true],
      ['Public', false],
    ]);
    expect(fw.runner.calls).toEqual([powerShellCommand(FIREWALL_HEALTH, null, 60_000)]);
  });

  it('parses the golden stdout of the health script (ActiveStore, names)', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-health-output.json') }));
    expect(await readFirewallHealth(runner)).toEqual([
      { profile: 'Domain', enabled: true, defaultInboundAction: 'block', defaultOutboundAction: 'allow' },
      { profile: 'Private', enabled: true, defaultInboundAction: 'block', defaultOutboundAction: 'allow' },
      { profile: 'Public', enabled: false, defaultInboundAction: 'allow', defaultOutboundAction: 'allow' },
    ]);
  });

  it('throws the script error', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: 1, stdout: '{"ok":false,"error":"Access is denied."}' }));
    await expect(readFirewallHealth(runner)).rejects.toThrow('firewall-health: Access is denied.');
  });
});
