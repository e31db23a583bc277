// Keeps defender-settings.md true: it is rendered from the mapping table, and this test fails when the file differs.
// `UPDATE_DEFENDER_DOC=1 npx vitest run agent/src/providers/windows/defender-doc.test.ts` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFENDER_KINDS, type DefenderMapping, defenderMapping, defenderSettingIds, type EffectiveRead, type PolicyRegistry } from './defender-mapping.js';

const DOC = new URL('./defender-settings.md', import.meta.url);

function short(key: string): string {
  return key.replace('HKLM:\\SOFTWARE\\Policies\\Microsoft\\', '…\\');
}

function registryText(r: PolicyRegistry): string {
  switch (r.kind) {
    case 'value': {
      const type = { dword: 'DWORD', invertedDword: 'DWORD, 1 ↔ 0', maps: 'DWORD, 1 ↔ 2', string: 'REG_SZ', joined: "REG_SZ 'a|b'" }[r.codec];
      return `\`${short(r.key)}\\${r.name}\` (${type})`;
    }
    case 'list':
      return `list \`${short(r.key)}\\${r.subkey}\` + flag \`${r.flag}\``;
    case 'threatActions':
      return 'list `…\\Windows Defender\\Threats\\ThreatSeverityDefaultAction` (level → action) + flag';
    case 'asrRule':
      return '`…\\ASR\\Rules\\<guid>` = mode + flag `ExploitGuard_ASR_Rules`';
  }
}

function effectiveText(e: EffectiveRead | undefined): string {
  if (!e) return 'the stores (Policies key, then MDM)';
  switch (e.kind) {
    case 'mp':
    case 'list':
    case 'joined':
      return `Get-MpPreference ${e.param}`;
    case 'threatActions':
      return 'Get-MpPreference *ThreatDefaultAction';
    case 'asrRule':
      return 'Get-MpPreference AttackSurfaceReductionRules_Ids/_Actions';
  }
}

/** [written to, fallback, read back from] for one mapping. */
function describeMapping(m: DefenderMapping): [string, string, string] {
  switch (m.via) {
    case 'policy': {
      const bridge = m.bridge ? `MDM bridge \`${m.bridge.cls}.${m.bridge.property}\`` : '—';
      const edition = m.edition ? ` (${m.edition === 'server' ? 'Windows Server' : 'Windows 10/11'} only)` : '';
      return [`${bridge}${edition}`, registryText(m.registry), effectiveText(m.effective)];
    }
    case 'preference':
      return [`**${m.reason}**`, `\`Set-/Remove-MpPreference -${m.param}\``, `Get-MpPreference ${m.param}`];
    case 'unsupported':
      return [`not applicable: ${m.reason}`, '—', '—'];
  }
}

function render(): string {
  const lines = [
    '# Windows Defender settings: where each is written and read back',
    '',
    'Generated from `defender-mapping.ts` / `defender-table.ts` by `defender-doc.test.ts`; run',
    '`UPDATE_DEFENDER_DOC=1 npx vitest run agent/src/providers/windows/defender-doc.test.ts` after changing the table.',
    '',
    'Policy level first (issue 16, D1): the MDM bridge property when this build has it (the script asks `Get-CimClass`),',
    'else the documented Policies-key value in the "fallback" column; a setting with neither is a **local preference**',
    '(Set-MpPreference; Defender ignores local lists while `DisableLocalAdminMerge` is 1). Clearing writes `$null` to the',
    'bridge property or deletes the registry value. Read back: Get-MpPreference where Defender reports the value (lists:',
    'the effective items the policy holds), else the Policies key then the MDM store. A GPO owning the Policies value',
    '(RSoP) is reported as `conflict` naming it. `…\\` is `HKLM:\\SOFTWARE\\Policies\\Microsoft\\`.',
    '',
  ];
  for (const kind of DEFENDER_KINDS) {
    lines.push(`## ${kind}`, '', '| setting | written to | fallback (Policies key) / preference | read back from |', '|---|---|---|---|');
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
