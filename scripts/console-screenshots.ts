// `npx node --import tsx scripts/console-screenshots.ts` (after `npm run build`): regenerates the console screenshots
// in docs/img/ (dashboard, device page, policy list with an Intune import, policy editor with what-if, action center,
// audit log) at 1280×800 in the light theme, from a scratch endpoint, simulated agents and Debian's chromium. Run by hand; not a test.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findChromium, launchBrowser, newContext, signIn } from '../management/console/testing/browser.js';
import { agentCommand, type Endpoint, enrollSimulatedAgent, removeDir, startAgent, startEndpoint, tempDir, waitFor } from '../test/harness.js';

const OUT = join(import.meta.dirname, '..', 'docs', 'img');
const PASSWORD = 'screenshots only 1234';
const SETTING = 'mdatp.antivirusEngine.maximumOnDemandScanThreads';

async function main(): Promise<void> {
  const chromium = findChromium();
  if ('missing' in chromium) throw new Error(chromium.missing);
  const dir = await tempDir('console-shots');
  const endpoint = await startEndpoint(join(dir, 'endpoint'));
  const { args, deviceId } = await enrollSimulatedAgent(dir, endpoint);
  const agent = startAgent(args);
  const browser = await launchBrowser(chromium.path);
  const fleet: Array<ReturnType<typeof startAgent>> = [];
  try {
    const api = endpoint.admin;
    await api.ok('POST', '/v1/admin/admins', { username: 'alice', displayName: 'Alice Admin', role: 'administrator', password: PASSWORD });
    const group = await api.ok('POST', '/v1/admin/groups', { name: 'linux-servers' });
    await api.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
    const policy = await api.ok('POST', '/v1/admin/policies', {
      name: 'Linux AV baseline',
      kind: 'antivirus',
      description: 'Real-time protection and scan threads for Linux servers',
      settings: { [SETTING]: 2, 'mdatp.antivirusEngine.scanFileModifyPermissions': true },
    });
    await api.ok('POST', '/v1/admin/assignments', { policyId: policy.policyId, groupId: group.groupId });
    await api.ok('POST', '/v1/admin/compliance-policies', { name: 'Low risk only', settings: { maxRiskLevel: 'low' } });
    // What `attache-admin policy import` makes of one Intune policy that spans two kinds: two policies, one source.
    const intune = {
      system: 'intune',
      id: '5c1b2a7e-3f0d-4e8a-9b61-2d4f8c0e7a13',
      name: 'Linux - Defender AV and EDR',
      template: 'Microsoft Defender Antivirus',
    };
    await api.ok('POST', '/v1/admin/policies', {
      name: 'Linux - Defender AV and EDR (antivirus)',
      kind: 'antivirus',
      settings: { [SETTING]: 4 },
      source: intune,
    });
    await api.ok('POST', '/v1/admin/policies', {
      name: 'Linux - Defender AV and EDR (edr)',
      kind: 'edr',
      settings: { 'mdatp.edr.groupIds': 'lab' },
      source: intune,
    });
    fleet.push(...(await enrollFleet(dir, endpoint)));
    await waitFor(
      'the device to report the policy',
      async () =>
        (await api.ok('GET', `/v1/admin/devices/${deviceId}/status`)).settings.some((s: { state: string }) => s.state === 'succeeded') ? true : undefined,
      60_000,
    );
    const page = await signIn(await newContext(browser), endpoint.url, 'alice', PASSWORD);
    const shot = async (hash: string, file: string, ready: () => Promise<unknown>) => {
      // A reload per shot: the status line of the previous step does not cover this one.
      await page.goto(`${endpoint.url}/${hash}`);
      await page.reload();
      await ready();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(OUT, file) });
      process.stdout.write(`docs/img/${file}\n`);
    };
    await shot('#/dashboard', 'console-dashboard.png', () => page.locator('.chart svg').first().waitFor());
    await shot(`#/devices/${deviceId}`, 'console-device.png', () => page.locator(`tr[data-setting="${SETTING}"]`).waitFor());
    await shot('#/policies', 'console-policies-intune.png', () => page.getByTestId('intune-group').waitFor());
    await shot(`#/policies/${policy.policyId}`, 'console-policy-what-if.png', async () => {
      await page.getByLabel('Find a setting').fill('scan');
      const value = page.locator(`fieldset[data-setting="${SETTING}"]`).getByLabel(/value$/);
      await value.fill('8');
      await page.getByRole('button', { name: 'Preview changes (what-if)' }).click();
      await page.getByTestId('what-if').waitFor();
      await page.locator('#preview-h').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    });
    // Response actions (issue 17): a few on the device, so the action center has rows in several states.
    await api.ok('POST', `/v1/admin/devices/${deviceId}/runAntivirusScan`, { comment: 'INC-4711: routine check after the alert', scanType: 'full' });
    await api.ok('POST', `/v1/admin/devices/${deviceId}/collectInvestigationPackage`, { comment: 'INC-4711 evidence' });
    const isolate = await api.ok('POST', `/v1/admin/devices/${deviceId}/isolate`, { comment: 'INC-4711: beaconing to a known C2' });
    await api.ok('POST', `/v1/admin/actions/${isolate.id}/cancel`, { comment: 'false positive: the lab proxy' });
    await shot('#/actions', 'console-actions.png', async () => {
      await page.getByTestId('actions').waitFor();
      // One row's details open: delivery times and the outcome (or the error) as the device reported it.
      await page.locator('tbody tr').last().locator('summary').click();
    });
    await shot('#/audit', 'console-audit.png', () => page.locator('[data-testid=audit], [role=alert]').first().waitFor());
  } finally {
    await browser.close();
    await agent.stop();
    await Promise.all(fleet.map((a) => a.stop()));
    await endpoint.stop();
    await removeDir(dir);
  }
}

/** A few more simulated devices of every platform, each enrolled and running, so the charts have something to show. */
async function enrollFleet(dir: string, endpoint: Endpoint): Promise<Array<ReturnType<typeof startAgent>>> {
  const platforms = ['windows', 'windows', 'windows', 'windows', 'macos', 'macos', 'macos', 'linux', 'linux'] as const;
  const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: platforms.length });
  await writeFile(join(dir, 'fleet-pkg.json'), JSON.stringify(pkg));
  const agents: Array<ReturnType<typeof startAgent>> = [];
  for (const [i, platform] of platforms.entries()) {
    const args = ['--state-dir', join(dir, `fleet-${i}`), '--simulated', platform];
    const run = await agentCommand([...args, 'enroll', '--package', join(dir, 'fleet-pkg.json')]);
    if (run.code !== 0) throw new Error(`enroll ${platform} failed (${run.code}): ${run.stderr}`);
    agents.push(startAgent(args));
  }
  await waitFor(
    'every device to check in',
    async () => ((await endpoint.admin.ok('GET', '/v1/admin/devices')).devices.every((d: { lastSeenAt: string | null }) => d.lastSeenAt) ? true : undefined),
    60_000,
  );
  return agents;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
