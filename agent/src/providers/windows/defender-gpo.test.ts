// GPO-owned Policies values on the agent's Policies-key path (review 16b F2, F9): one registry holds GPO values and
// ours, RSoP says who owns what. The agent never overwrites or deletes a value, list item or list flag a GPO owns; the
// setting is reported as a conflict naming the GPO (Local GPO: "Local Group Policy"); a GPO deleting a value keeps ours
// out; an unreadable RSoP refuses the write instead of guessing.
import { describe, expect, it } from 'vitest';
import { applyPolicy, DEFENDER } from './testing/defender-apply.js';
import { DefenderEmulator } from './testing/defender-emulator.js';

const PATHS = `${DEFENDER}\\Exclusions\\Paths`;
const status = (run: Awaited<ReturnType<typeof applyPolicy>>, id: string) => run.statuses.find((s) => s.settingId === id);

describe('a GPO-owned value on the Policies-key path', () => {
  it('is not overwritten: the GPO value stays and the setting is a conflict naming the GPO', async () => {
    const host = new DefenderEmulator();
    host.setGpo('Contoso AV baseline', DEFENDER, 'DisableLocalAdminMerge', 'DWord', 0);
    const run = await applyPolicy('antivirus', { 'defenderConfig.DisableLocalAdminMerge': 1 }, host);
    expect(host.read(DEFENDER, 'DisableLocalAdminMerge')?.value).toBe(0);
    expect(status(run, 'defenderConfig.DisableLocalAdminMerge')).toMatchObject({ state: 'conflict', code: 'SETTING_OVERRIDDEN', observed: 0 });
    expect(status(run, 'defenderConfig.DisableLocalAdminMerge')?.message).toContain("Group Policy 'Contoso AV baseline'");
    // A GP refresh finds its value in place: nothing was fought over.
    host.gpRefresh();
    expect(host.read(DEFENDER, 'DisableLocalAdminMerge')?.value).toBe(0);
  });

  it('keeps GPO list items and the GPO list flag on an exact list write and on removal (old build: no bridge property)', async () => {
    const host = new DefenderEmulator();
    host.bridgeProperties.Defender = host.bridgeProperties.Defender.filter((p) => p !== 'ExcludedPaths');
    host.setGpo('Contoso AV baseline', PATHS, 'C:\\Gpo', 'String', '0');
    host.setGpo('Contoso AV baseline', `${DEFENDER}\\Exclusions`, 'Exclusions_Paths', 'DWord', 1);
    const run = await applyPolicy('antivirusExclusions', { 'defender.ExcludedPaths': ['C:\\Build'] }, host);
    expect(host.subkey(PATHS).map((e) => e.name)).toEqual(['C:\\Gpo', 'C:\\Build']);
    expect(status(run, 'defender.ExcludedPaths')).toMatchObject({ state: 'conflict', code: 'SETTING_OVERRIDDEN' });
    // Unassigned: our item goes, the GPO's item and flag stay.
    await run.provider.apply([{ settingId: 'defender.ExcludedPaths', kind: 'antivirusExclusions', from: ['C:\\Gpo', 'C:\\Build'], to: undefined }]);
    expect(host.subkey(PATHS).map((e) => e.name)).toEqual(['C:\\Gpo']);
    expect(host.read(`${DEFENDER}\\Exclusions`, 'Exclusions_Paths')?.value).toBe(1);
  });

  it('a value a GPO deletes is not written either, and the conflict says the GPO removes it', async () => {
    const host = new DefenderEmulator();
    host.deleteByGpo('Contoso AV baseline', DEFENDER, 'DisableLocalAdminMerge');
    const run = await applyPolicy('antivirus', { 'defenderConfig.DisableLocalAdminMerge': 1 }, host);
    expect(host.read(DEFENDER, 'DisableLocalAdminMerge')).toBeUndefined();
    expect(status(run, 'defenderConfig.DisableLocalAdminMerge')).toMatchObject({ state: 'conflict', code: 'SETTING_OVERRIDDEN' });
    expect(status(run, 'defenderConfig.DisableLocalAdminMerge')?.message).toContain("Group Policy 'Contoso AV baseline' (it removes this value)");
  });

  it('names the Local GPO "Local Group Policy"', async () => {
    const host = new DefenderEmulator();
    host.setGpo('Local Group Policy', DEFENDER, 'DisableLocalAdminMerge', 'DWord', 0, 'LocalGPO');
    const run = await applyPolicy('antivirus', { 'defenderConfig.DisableLocalAdminMerge': 1 }, host);
    expect(run.overrides.get('defenderConfig.DisableLocalAdminMerge')).toEqual({ source: 'Local Group Policy', effective: 0 });
  });

  it('refuses the Policies-key write when RSoP cannot be read, saying so; the MDM store path is unaffected', async () => {
    const host = new DefenderEmulator();
    host.rsopError = 'Invalid namespace';
    const run = await applyPolicy('antivirus', { 'defenderConfig.DisableLocalAdminMerge': 1, 'defender.PUAProtection': 1 }, host);
    expect(host.read(DEFENDER, 'DisableLocalAdminMerge')).toBeUndefined();
    expect(status(run, 'defenderConfig.DisableLocalAdminMerge')).toMatchObject({ state: 'error', code: 'SETTING_APPLY_FAILED' });
    expect(status(run, 'defenderConfig.DisableLocalAdminMerge')?.message).toContain('RSoP unavailable: Invalid namespace');
    expect(status(run, 'defender.PUAProtection')?.state).toBe('succeeded');
  });
});
