// The constant Defender scripts: their allow-lists are exactly the mapping table's names (so the table cannot ask for
// a parameter the script refuses, and the script accepts nothing the table does not use), and they hold no construct
// that could turn data into code.
import { describe, expect, it } from 'vitest';
import {
  ASR_KEY,
  ASR_PER_RULE_FLAG,
  ASR_PER_RULE_KEY,
  DEFENDER_KINDS,
  defenderMapping,
  defenderSettingIds,
  mpListParameters,
  mpParameters,
  registryKeys,
} from './defender-mapping.js';
import { DEFENDER_APPLY, DEFENDER_OBSERVE, DEFENDER_SCRIPTS } from './defender-scripts.js';

/** The quoted items of `$name = @('a', 'b', …)` in a script. */
function allowList(text: string, name: string): string[] {
  const m = new RegExp(`\\$${name} = @\\(([^)]*)\\)`).exec(text);
  if (!m) throw new Error(`no $${name} in the script`);
  return [...(m[1] as string).matchAll(/'([^']*)'/g)].map((x) => x[1] as string).sort();
}

function literal(text: string, name: string): string | undefined {
  return new RegExp(`\\$${name} = '([^']*)'`).exec(text)?.[1];
}

describe('Defender script allow-lists', () => {
  it('the apply script accepts exactly the table parameters and list parameters', () => {
    expect(allowList(DEFENDER_APPLY.text, 'mpAllowed')).toEqual(mpParameters());
    expect(allowList(DEFENDER_APPLY.text, 'listAllowed')).toEqual(mpListParameters());
  });

  it('time-of-day parameters are exactly the table entries converted from minutes', () => {
    const minutes = DEFENDER_KINDS.flatMap((k) => defenderSettingIds(k)).flatMap((id) => {
      const m = defenderMapping(id);
      return m?.via === 'mp' && m.codec === 'minutes' ? [m.param] : [];
    });
    expect(allowList(DEFENDER_APPLY.text, 'timeParams')).toEqual(minutes.sort());
  });

  it('both scripts accept exactly the table registry keys', () => {
    expect(allowList(DEFENDER_APPLY.text, 'keyAllowed')).toEqual(registryKeys());
    expect(allowList(DEFENDER_OBSERVE.text, 'keyAllowed')).toEqual(registryKeys());
    expect(literal(DEFENDER_APPLY.text, 'asrKey')).toBe(ASR_KEY);
    expect(literal(DEFENDER_APPLY.text, 'asrPerRuleKey')).toBe(ASR_PER_RULE_KEY);
    expect(literal(DEFENDER_APPLY.text, 'asrPerRuleFlag')).toBe(ASR_PER_RULE_FLAG);
  });
});

describe('Defender scripts hold no way to run data', () => {
  for (const script of DEFENDER_SCRIPTS) {
    it(`${script.name} uses no dynamic evaluation, no process start and no backtick escapes`, () => {
      expect(script.text).not.toMatch(
        /Invoke-Expression|\biex\b|ScriptBlock\]::Create|NewScriptBlock|Start-Process|Invoke-Command|Add-Type|cmd(\.exe)?\s|&\s*\$/i,
      );
      // No dot-sourcing or call operator at the start of a statement.
      expect(script.text).not.toMatch(/^\s*[.&]\s/m);
      expect(script.text).not.toContain('`');
    });
  }

  it('the apply script refuses any name before it changes anything', () => {
    const text = DEFENDER_APPLY.text;
    const firstChange = text.search(/(Set|Add|Remove)-MpPreference|New-ItemProperty|Remove-ItemProperty/);
    const lastCheck = text.lastIndexOf('Assert-Allowed ([string]$r.key)');
    expect(lastCheck).toBeGreaterThan(0);
    expect(firstChange).toBeGreaterThan(lastCheck);
  });
});
