// Keeps defender-settings.md true: it is rendered from the mapping table, and this test fails when the file differs.
// `UPDATE_DEFENDER_DOC=1 npx vitest run agent/src/providers/windows/defender-doc.test.ts` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASR_KEY, ASR_PER_RULE_FLAG, ASR_PER_RULE_KEY, DEFENDER_KINDS, type DefenderMapping, defenderMapping, defenderSettingIds } from './defender-mapping.js';

const DOC = new URL('./defender-settings.md', import.meta.url);

function short(key: string): string {
  return key.replace('HKLM:\\SOFTWARE\\Policies\\Microsoft\\', '…\\');
}

/** [applied with, read back from, removed by] for one mapping. */
function describeMapping(m: DefenderMapping): [string, string, string] {
  switch (m.via) {
    case 'mp': {
      const how = {
        bool: `\`Set-MpPreference -${m.param}\` (1 ↔ $true)`,
        inverted: `\`Set-MpPreference -${m.param}\` (1 ↔ $false)`,
        int: `\`Set-MpPreference -${m.param} <n>\``,
        string: `\`Set-MpPreference -${m.param} <text>\` ('' removes)`,
        maps: `\`Set-MpPreference -${m.param}\` (0 ↔ 0 Disabled, 1 ↔ 2 Advanced)`,
        minutes: `\`Set-MpPreference -${m.param} <time of day>\` (minutes after midnight)`,
      }[m.codec];
      return [how, `Get-MpPreference ${m.param}`, `\`Remove-MpPreference -${m.param}\` (Defender default)`];
    }
    case 'mpList':
      return [
        `\`Add-/Remove-MpPreference -${m.param}\` of the items that differ`,
        `Get-MpPreference ${m.param}`,
        `\`Remove-MpPreference -${m.param}\` of the items it had (\`from\`)`,
      ];
    case 'mpJoined':
      return [`\`Set-MpPreference -${m.param} "a|b"\``, `Get-MpPreference ${m.param}`, `\`Remove-MpPreference -${m.param}\``];
    case 'threatActions':
      return [
        '`Set-MpPreference -Low/Moderate/High/SevereThreatDefaultAction` (levels 1/2/4/5)',
        'Get-MpPreference *ThreatDefaultAction (0 = not configured)',
        '`Remove-MpPreference -<Level>ThreatDefaultAction` (security intelligence default)',
      ];
    case 'asrRule':
      return [
        '`Add-MpPreference -AttackSurfaceReductionRules_Ids <guid> -AttackSurfaceReductionRules_Actions 0|1|2|6`',
        'Get-MpPreference AttackSurfaceReductionRules_Ids/_Actions (absent = notConfigured)',
        '`Remove-MpPreference -AttackSurfaceReductionRules_Ids <guid>` (also for notConfigured)',
      ];
    case 'registry': {
      const type = { dword: 'DWORD', invertedDword: 'DWORD, 1 ↔ 0', string: "REG_SZ, '' deletes" }[m.codec];
      return [`\`${short(m.key)}\\${m.name}\` (${type})`, 'the same value (absent = not configured)', 'deleting the value'];
    }
    case 'asrRuleExclusions':
      return [
        `REG_SZ \`${short(ASR_PER_RULE_KEY)}\\<guid>\` = \`a>b\`, and \`${short(ASR_KEY)}\\${ASR_PER_RULE_FLAG}\` = 1 while any exists`,
        'the same value (absent = [])',
        'deleting the value (the flag goes with the last one)',
      ];
    case 'unsupported':
      return [`not applicable: ${m.reason}`, '—', '—'];
  }
}

function render(): string {
  const lines = [
    '# Windows Defender settings: how each is applied, read back and removed',
    '',
    'Generated from `defender-mapping.ts` by `defender-doc.test.ts`; run',
    '`UPDATE_DEFENDER_DOC=1 npx vitest run agent/src/providers/windows/defender-doc.test.ts` after changing the table.',
    'Values are the catalog (CSP) values. "Removed" is what the provider does for a change to `undefined` (stop managing);',
    'restoring a recorded pre-management value is an ordinary apply of that value. `…\\` is `HKLM:\\SOFTWARE\\Policies\\Microsoft\\`.',
    '',
    'Known interactions (Get-MpPreference reports effective values, so each should read back as a mismatch, reported as not',
    'enforced rather than a silent success; not yet verified on a device):',
    '- Set-MpPreference writes local preferences, the lowest precedence: a Group Policy, Intune or Configuration Manager value',
    '  for the same setting wins over it.',
    '- While tamper protection is on, Defender ignores changes to the settings the catalog marks `tamperProtected`.',
    '- `defenderConfig.DisableLocalAdminMerge` = 1 makes Defender ignore local lists: the exclusions, controlled folder access',
    '  lists, ASR rules and ASR exclusions this provider writes with Add-MpPreference.',
    '- Remove-MpPreference -CheckForSignaturesBeforeRunningScan fails when the value is already off (cmdlet documentation).',
    '',
  ];
  for (const kind of DEFENDER_KINDS) {
    lines.push(`## ${kind}`, '', '| setting | applied with | read back from | removed by |', '|---|---|---|---|');
    for (const id of defenderSettingIds(kind)) {
      const cells = [`\`${id}\``, ...describeMapping(defenderMapping(id) as DefenderMapping)].map((c) => c.replaceAll('|', '\\|'));
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

describe('defender-settings.md', () => {
  it('documents every Windows Defender setting as the mapping table applies it', () => {
    const rendered = render();
    if (process.env.UPDATE_DEFENDER_DOC === '1') writeFileSync(DOC, rendered);
    for (const kind of DEFENDER_KINDS) for (const id of defenderSettingIds(kind)) expect(defenderMapping(id), id).toBeDefined();
    expect(readFileSync(DOC, 'utf8'), 'defender-settings.md is stale: regenerate it (see the top of this test)').toBe(rendered);
  });
});
