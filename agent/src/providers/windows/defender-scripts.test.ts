// The constant Defender scripts: their allow-lists are exactly the mapping table's names (so the table cannot ask for
// a class, property, key or parameter the script refuses, and the script accepts nothing the table does not use), and
// they hold no construct that could turn data into code.
import { describe, expect, it } from 'vitest';
import { legacyLocation, legacyParameters } from './defender-legacy.js';
import {
  allDefenderMappings,
  bridgeProperties,
  DEFENDER_POLICY_KEY,
  LEGACY_PER_RULE_OP,
  mpListParameters,
  mpParameters,
  registryKeys,
  registryListOps,
  registryValuePaths,
} from './defender-mapping.js';
import { DEFENDER_APPLY, DEFENDER_OBSERVE, DEFENDER_SCRIPTS } from './defender-scripts.js';
import { scriptList } from './testing/defender-script-contract.js';

const allowList = (text: string, name: string) => scriptList(name, text);

describe('Defender script allow-lists', () => {
  it('both scripts accept exactly the table registry keys and bridge properties', () => {
    for (const script of [DEFENDER_APPLY, DEFENDER_OBSERVE]) {
      expect(allowList(script.text, 'keyAllowed')).toEqual(registryKeys());
      expect(allowList(script.text, 'defenderProperties')).toEqual(bridgeProperties('Defender'));
      expect(allowList(script.text, 'securityCenterProperties')).toEqual(bridgeProperties('WindowsDefenderSecurityCenter'));
    }
  });

  it('the scripts accept exactly the table Policies values and list operations (names, not only keys: review 16b F5)', () => {
    expect(allowList(DEFENDER_APPLY.text, 'valueAllowed')).toEqual(registryValuePaths());
    expect(allowList(DEFENDER_APPLY.text, 'listOpAllowed')).toEqual(registryListOps());
    expect(DEFENDER_APPLY.text).toContain(`$legacyListOp = '${LEGACY_PER_RULE_OP}'`);
    // Replacing a whole list (exact) is allowed for ADMX list subkeys only, never for a key holding single values.
    for (const op of registryListOps()) if (op.endsWith('|exact')) expect(registryKeys()).toContain(op.split('|')[0]);
    expect(registryListOps().filter((op) => op.startsWith(`${DEFENDER_POLICY_KEY}|`))).toEqual([]);
    // The upgrade clean-up deletes only values the table knows (or the per-rule key, deletions only).
    for (const id of allDefenderMappings().map(([i]) => i)) {
      const old = legacyLocation(id);
      if (old?.at === 'registry' && !id.startsWith('asrExclusions.')) expect(registryValuePaths(), id).toContain(`${old.key}\\${old.name}`);
    }
  });

  it('the apply script validates every name before its first change and casts each op field before comparing it', () => {
    const text = DEFENDER_APPLY.text;
    const assertOp = text.slice(text.indexOf('function Assert-Op'), text.indexOf('function Invoke-RegistryOp'));
    expect(assertOp).toContain('$kind = [string]$op.op');
    expect(assertOp).not.toMatch(/\$op\.op -ceq/);
    expect(assertOp).toContain('$valueAllowed -cnotcontains $path');
    expect(assertOp).toContain('$listOpAllowed -cnotcontains $signature');
    const invoke = text.slice(text.indexOf('function Invoke-RegistryOp'), text.indexOf('function Merge-AsrRules'));
    expect(invoke).not.toMatch(/(?<!\[string\])\$op\.(op|type|exact) -c?eq/);
    const validation = text.slice(text.indexOf('# Validate every name first'), text.indexOf('# Group Policy owners'));
    expect(validation.match(/Assert-Op \$op/g)).toHaveLength(2);
    expect(validation).toContain("Assert-Allowed ([string]$b.property) $bridgeAllowed[[string]$b.cls] 'bridge property'");
  });

  it('reports errors instead of swallowing them: RSoP failures become rsopError, only a missing bridge class means no bridge', () => {
    expect(DEFENDER_APPLY.text).not.toMatch(/catch \{\s*\}/);
    expect(DEFENDER_OBSERVE.text).not.toMatch(/catch \{\s*\}/);
    expect(DEFENDER_OBSERVE.text).toContain('catch { $rsopError = $_.Exception.Message }');
    const bridge = DEFENDER_APPLY.text.slice(DEFENDER_APPLY.text.indexOf('function Get-BridgeProperties'));
    expect(bridge).toContain("@('NotFound', 'InvalidClass', 'InvalidNamespace') -contains [string]$_.Exception.NativeErrorCode");
    expect(bridge.slice(0, bridge.indexOf('\n}'))).toContain('    throw');
  });

  it('the apply script accepts exactly the preference-only parameters of the table', () => {
    expect(allowList(DEFENDER_APPLY.text, 'mpAllowed')).toEqual(mpParameters());
    expect(allowList(DEFENDER_APPLY.text, 'listAllowed')).toEqual(mpListParameters());
  });

  it('the apply script accepts the previous agent’s local-preference parameters for the upgrade clean-up only', () => {
    expect(allowList(DEFENDER_APPLY.text, 'legacyMpAllowed')).toEqual(legacyParameters().scalars);
    expect(allowList(DEFENDER_APPLY.text, 'legacyListAllowed')).toEqual(legacyParameters().lists);
    // Additions stay limited to the current preference-only lists.
    expect(DEFENDER_APPLY.text).toContain("foreach ($name in @(Get-Names $in.preference.add)) { Assert-Allowed $name $listAllowed 'list parameter' }");
  });

  it('no preference-only setting needs a value conversion the script does not make (time of day)', () => {
    for (const [id, m] of allDefenderMappings()) if (m.via === 'preference') expect(m.codec, id).not.toBe('minutes');
  });

  it('writes the MDM bridge classes and reads their result twins, keyed by the documented InstanceID/ParentID', () => {
    expect(DEFENDER_APPLY.text).toContain("'Defender' = 'MDM_Policy_Config01_Defender02'");
    expect(DEFENDER_APPLY.text).toContain("'WindowsDefenderSecurityCenter' = 'MDM_Policy_Config01_WindowsDefenderSecurityCenter02'");
    expect(DEFENDER_OBSERVE.text).toContain("'Defender' = 'MDM_Policy_Result01_Defender02'");
    expect(DEFENDER_APPLY.text).toContain(`"ParentID='./Vendor/MSFT/Policy/Config' and InstanceID='Defender'"`);
    expect(DEFENDER_OBSERVE.text).toContain('RSOP_RegistryPolicySetting');
  });
});

describe('Defender scripts hold no way to run data', () => {
  for (const script of DEFENDER_SCRIPTS) {
    it(`${script.name} uses no dynamic evaluation, no process start and no backtick escapes`, () => {
      expect(script.text).not.toMatch(
        /Invoke-Expression|\biex\b|ScriptBlock\]::Create|NewScriptBlock|Start-Process|Invoke-Command|Add-Type|cmd(\.exe)?\s|&\s*\$/i,
      );
      expect(script.text).not.toMatch(/^\s*[.&]\s/m);
      expect(script.text).not.toContain('`');
      // Registry value names are data (exclusion paths hold wildcards): only the literal .NET API touches them.
      expect(script.text).not.toMatch(/(New|Set|Remove)-ItemProperty/);
    });
  }

  it('the apply script refuses any name before it changes anything', () => {
    const text = DEFENDER_APPLY.text;
    const body = text.slice(text.indexOf('# Validate every name first'));
    const firstChange = body.search(/Invoke-RegistryOp \$op|New-CimInstance|Set-CimInstance|(Set|Add|Remove)-MpPreference/);
    const lastCheck = body.lastIndexOf("Assert-Allowed $name ($mpAllowed + $legacyMpAllowed) 'parameter'");
    expect(lastCheck).toBeGreaterThan(0);
    expect(firstChange).toBeGreaterThan(lastCheck);
  });
});
