// Vulnerability management in the web console, in Debian's chromium (playwright-core) against the dist/ endpoint: OSV
// advisories imported through the API, a Debian 12 device that signs its own software upload, then the console's
// dashboard (exposure level chart, exposed devices), the recommendation with its exposed device, a security task
// created from it, shown, rejected with its required note, reopened, accepted and remediated, the device's Software tab (filter) and
// Vulnerabilities tab (findings), Update software from the action bar, each control only for roles allowed it, and a
// hostile package name shown literally everywhere (no element made from it, no dialog).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../common/canonical-json.js';
import type { MachineAction, SecurityTaskDetail, SoftwareItem, SoftwareUpload } from '../../policy-schemas/src/index.js';
import { type Endpoint, removeDir, startEndpoint, tempDir } from '../../test/harness.js';
import { DSA_5532_1 } from '../src/advisories/testing/osv-records.js';
import { TEST_FACTS, TestDevice } from '../src/testing/https-client.js';
import { findChromium, launchBrowser, newContext, signIn } from './testing/browser.js';

const chromiumFound = findChromium();
const missing = 'missing' in chromiumFound ? chromiumFound.missing : null;
if (missing) process.stderr.write(`console browser tests skipped: ${missing}\n`);

const PASSWORD = 'correct horse battery staple 42';
const MARKUP = '<img src=x onerror=alert(1)>';
/** A package name a hostile device could report (dpkg would refuse it; the endpoint stores it as data). */
const HOSTILE = `evil${MARKUP}`;
const OPENSSL_TITLE = 'Update openssl to 3.0.11-1~deb12u2 or later';

/** An OSV advisory for the hostile package in Debian 12, critical by its CVSS vector (written for this test). */
const HOSTILE_ADVISORY = {
  schema_version: '1.6.0',
  id: 'OSV-2026-CONSOLE-1',
  modified: '2026-11-02T10:00:00Z',
  published: '2026-11-01T00:00:00Z',
  aliases: ['CVE-2026-0001'],
  summary: `remote code execution in ${MARKUP}`,
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [{ package: { ecosystem: 'Debian:12', name: HOSTILE }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }],
};

const ITEMS: SoftwareItem[] = [
  { name: 'bash', version: '5.2.15-2+b2', vendor: 'Matthias Klose <doko@debian.org>', architecture: 'amd64', source: 'dpkg', scheme: 'dpkg' },
  { name: HOSTILE, version: '1.0-1', vendor: `Mallory ${MARKUP}`, architecture: 'amd64', source: 'dpkg', scheme: 'dpkg' },
  { name: 'openssl', version: '3.0.11-1~deb12u1', vendor: 'Debian OpenSSL Team', architecture: 'amd64', source: 'dpkg', scheme: 'dpkg' },
];

describe.skipIf(missing !== null)(`console vulnerability management in chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  let endpoint: Endpoint;
  let device: TestDevice;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const dialogs: string[] = [];

  async function signedIn(username: string): Promise<Page> {
    const context = await newContext(browser);
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    const page = await signIn(context, endpoint.url, username, PASSWORD);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return page;
  }

  const importAdvisory = async (name: string, record: unknown) => {
    const res = await endpoint.admin.call('POST', `/v1/admin/vulnerabilities/advisories?name=${name}`, record);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ format: 'osv', read: 1, stored: 1 });
  };

  beforeAll(async () => {
    dir = await tempDir('console-vulns');
    endpoint = await startEndpoint(join(dir, 'endpoint'));
    for (const [username, role] of [
      ['alice', 'administrator'],
      ['lou', 'readOnlyOperator'],
    ] as const) {
      await endpoint.admin.ok('POST', '/v1/admin/admins', { username, displayName: username, role, password: PASSWORD });
    }
    const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {});
    device = new TestDevice(endpoint.url, pkg.caCertificate, { ...TEST_FACTS, hostname: 'console-vulns-1', platform: 'linux', osVersion: '12' });
    const enrolled = await device.enroll(pkg.enrollmentToken);
    if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status} ${enrolled.text}`);
    await importAdvisory('dsa-5532-1.json', DSA_5532_1);
    await importAdvisory('osv-2026-console-1.json', HOSTILE_ADVISORY);
    const upload: SoftwareUpload = {
      deviceId: device.deviceId,
      inventory: {
        collectedAt: new Date(device.now()).toISOString(),
        os: { name: 'Debian GNU/Linux', version: '12' },
        items: ITEMS,
        truncated: false,
        digest: createHash('sha256').update(canonicalJson(ITEMS)).digest('hex'),
      },
    };
    const uploaded = await device.post('/v1/device/software', upload);
    if (uploaded.status !== 200) throw new Error(`software upload: ${uploaded.status} ${uploaded.text}`);
    expect(uploaded.body).toMatchObject({ stored: true });
    browser = await launchBrowser((chromiumFound as { path: string }).path);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await endpoint?.stop();
    if (dir) await removeDir(dir);
  });

  it('shows the fleet exposure and the recommendations, the hostile name as text', async () => {
    const page = await signedIn('alice');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Vulnerabilities' }).click();
    await page.getByRole('heading', { name: 'Vulnerabilities', level: 1 }).waitFor();
    const totals = page.getByTestId('vulnerability-totals');
    await expect.poll(() => totals.innerText()).toMatch(/Advisories stored\s+2/);
    expect(await totals.innerText()).toMatch(/Exposed devices\s+1/);
    // One critical (70) and one unknown (10): score 80, level high.
    expect(await page.getByRole('img', { name: /^Exposure level: high 1, medium 0, low 0, none 0$/ }).count()).toBe(1);
    const recs = page.getByTestId('recommendations');
    await expect.poll(() => recs.innerText()).toContain(OPENSSL_TITLE);
    expect(await recs.innerText()).toContain(`Update ${HOSTILE} to 1.0-2 or later`);
    expect(await page.getByTestId('advisories').innerText()).toContain(`remote code execution in ${MARKUP}`);
    expect(await page.locator('main img').count()).toBe(0);

    await page.getByRole('link', { name: 'high: 1' }).click();
    const devices = page.getByTestId('exposure-devices');
    await expect.poll(() => devices.innerText()).toContain('console-vulns-1');
    expect(await page.getByLabel('Exposure level').inputValue()).toBe('high');
    await page.getByLabel('Exposure level').selectOption('low');
    await expect.poll(() => page.locator('main').innerText()).toContain('No device at exposure level low');

    await page.getByRole('link', { name: 'Recommendations', exact: true }).click();
    await page.getByLabel('Software').fill('openssl');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('search=openssl');
    await expect.poll(() => recs.locator('tbody tr').count()).toBe(1);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('creates a security task from a recommendation, shows it, rejects it with a note, reopens it, accepts and remediates it', async () => {
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/vulnerabilities/recommendations`);
    await page.getByRole('link', { name: OPENSSL_TITLE }).click();
    await page.getByRole('heading', { name: OPENSSL_TITLE, level: 1 }).waitFor();
    const exposed = page.getByTestId('recommendation-devices');
    await expect.poll(() => exposed.innerText()).toContain('console-vulns-1');
    expect(await exposed.innerText()).toContain('3.0.11-1~deb12u1');
    expect(await page.getByTestId('advisories').innerText()).toContain('DSA-5532-1');

    await page.getByRole('button', { name: 'Create security task' }).click();
    const form = page.getByRole('form', { name: 'Create security task' });
    await form.getByLabel('Priority').selectOption('high');
    await form.getByLabel('Due date').fill('2027-01-15');
    await form.getByLabel('Assigned to').fill('secops');
    await form.getByLabel('Notes').fill(`patch window ${MARKUP}`);
    await form.getByRole('button', { name: 'Create task' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/tasks\/[0-9a-f-]{36}$/);
    const taskId = page.url().split('/').pop() as string;
    const facts = page.getByTestId('task-facts');
    await expect.poll(() => facts.innerText()).toMatch(/Status\s+pending/);
    expect(await page.getByTestId('task-progress').innerText()).toBe('0 / 1');
    expect(await facts.innerText()).toContain(`patch window ${MARKUP}`);
    expect(await page.getByTestId('task-devices').innerText()).toContain('console-vulns-1');

    const actions = page.getByRole('toolbar', { name: 'Task actions' });
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Accept', 'Accept and remediate', 'Reject']);
    await actions.getByRole('button', { name: 'Reject' }).click();
    const reject = page.getByRole('form', { name: 'Reject' });
    expect(await reject.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(true);
    await reject.getByLabel('Note (required)').fill(`not ours ${MARKUP}`);
    await reject.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => facts.innerText()).toMatch(/Status\s+rejected/);
    await expect.poll(() => page.getByTestId('task-history').innerText()).toContain(`not ours ${MARKUP}`);
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Reopen']);
    await actions.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('form', { name: 'Reopen' }).getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(() => facts.innerText()).toMatch(/Status\s+pending/);
    // Accept and remediate: active, and an updateSoftware action for the unfixed device, its status in the progress.
    await actions.getByRole('button', { name: 'Accept and remediate' }).click();
    await page.getByRole('form', { name: 'Accept and remediate' }).getByRole('button', { name: 'Accept and remediate' }).click();
    await expect.poll(() => facts.innerText()).toMatch(/Status\s+active/);
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Remediate', 'Complete', 'Reject']);
    await expect.poll(() => page.getByTestId('task-devices').getByRole('link', { name: 'pending' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('task-history').innerText()).toContain('remediation: 1 updateSoftware actions created');

    const detail = (await endpoint.admin.ok('GET', `/v1/admin/security-tasks/${taskId}`)) as SecurityTaskDetail;
    expect(detail.task).toMatchObject({ status: 'active', priority: 'high', assignedTo: 'secops', appName: 'openssl', appVersion: '3.0.11-1~deb12u2' });
    expect(detail.task.history.filter((h) => h.from !== null).map((h) => [h.from, h.to, h.by])).toEqual([
      ['pending', 'rejected', 'alice'],
      ['rejected', 'pending', 'alice'],
      ['pending', 'active', 'alice'],
      ['active', 'active', 'alice'],
    ]);
    expect(detail.devices).toEqual([expect.objectContaining({ deviceId: device.deviceId, fixed: false, actionStatus: 'pending' })]);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security tasks' }).click();
    await page.getByLabel('Status').selectOption('active');
    await expect.poll(() => page.locator(`tr[data-task="${taskId}"]`).count()).toBe(1);
    await page.getByLabel('Status').selectOption('completed');
    await expect.poll(() => page.locator('main').innerText()).toContain('No security task with status completed');
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it("shows the device's software and vulnerabilities and updates a vulnerable package from the action bar", async () => {
    // The task's remediation is in flight (one software action per device): cancelled here, updated by hand below.
    const remediation = (await endpoint.admin.ok('GET', `/v1/admin/actions?deviceId=${device.deviceId}&type=updateSoftware`)).actions as MachineAction[];
    expect(remediation.map((a) => a.requestorComment)).toEqual([expect.stringMatching(/^Security task [0-9a-f-]{36}: /)]);
    await endpoint.admin.ok('POST', `/v1/admin/actions/${remediation[0]?.id}/cancel`, { comment: 'updated from the device page instead' });
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/devices/${device.deviceId}`);
    const tabs = page.getByRole('navigation', { name: 'Device sections' });
    await tabs.getByRole('link', { name: 'Software' }).click();
    const software = page.getByTestId('device-software');
    await expect.poll(() => software.locator('tbody tr').count()).toBe(3);
    expect(await software.innerText()).toContain(HOSTILE);
    expect(await software.innerText()).toContain(`Mallory ${MARKUP}`);
    await page.getByLabel('Filter').fill('openssl');
    await expect.poll(() => software.locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('software-truncated').count()).toBe(0);

    await tabs.getByRole('link', { name: 'Vulnerabilities' }).click();
    await expect.poll(() => page.getByTestId('device-exposure').innerText()).toMatch(/^Exposure level high, score 80 of 100/);
    const findings = page.getByTestId('device-findings');
    expect(await findings.locator('tbody tr').count()).toBe(2);
    const hostileRow = findings.locator('tbody tr', { hasText: 'OSV-2026-CONSOLE-1' });
    expect(await hostileRow.innerText()).toContain(HOSTILE);
    expect(await hostileRow.innerText()).toContain('CVE-2026-0001');
    expect(await hostileRow.innerText()).toContain('critical');
    expect(await findings.locator('tbody tr', { hasText: 'DSA-5532-1' }).innerText()).toContain('3.0.11-1~deb12u2');
    expect(await page.locator('main img').count()).toBe(0);

    await page.getByRole('toolbar', { name: 'Response actions' }).getByRole('button', { name: 'Update software' }).click();
    const form = page.getByRole('form', { name: 'Update software' });
    await expect.poll(() => form.getByTestId('update-packages').innerText()).toContain(HOSTILE);
    await form.getByRole('checkbox', { name: /^openssl / }).check();
    expect(await form.getByLabel('Fixed version of openssl').inputValue()).toBe('3.0.11-1~deb12u2');
    await form.getByLabel('Comment (required)').fill('CVE-2023-5363');
    await form.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/^Update software requested on console-vulns-1 \(action [0-9a-f-]{36}, pending\)/);
    const list = await endpoint.admin.ok('GET', `/v1/admin/actions?deviceId=${device.deviceId}&type=updateSoftware`);
    const [action] = list.actions as MachineAction[];
    expect(action).toMatchObject({ type: 'updateSoftware', requestorComment: 'CVE-2023-5363', requestor: { username: 'alice' } });
    expect(action?.parameters).toMatchObject({ packages: [{ name: 'openssl', source: 'dpkg', fixedVersion: '3.0.11-1~deb12u2' }] });
    await page.goto(`${endpoint.url}/#/actions?deviceId=${device.deviceId}&type=updateSoftware`);
    await expect.poll(() => page.locator(`tr[data-action="${action?.id}"]`).innerText()).toContain('openssl → 3.0.11-1~deb12u2');
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('shows a read-only operator the views but no task or update control', async () => {
    const page = await signedIn('lou');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Vulnerabilities' }).count()).toBe(1);
    await page.goto(`${endpoint.url}/#/vulnerabilities/recommendations`);
    await page.getByRole('link', { name: OPENSSL_TITLE }).click();
    await page.getByTestId('recommendation-devices').waitFor();
    expect(await page.getByRole('button', { name: 'Create security task' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Security tasks' }).click();
    await page.getByTestId('security-tasks').locator('tbody a').first().click();
    await page.getByTestId('task-facts').waitFor();
    expect(await page.getByRole('toolbar', { name: 'Task actions' }).count()).toBe(0);
    await page.goto(`${endpoint.url}/#/devices/${device.deviceId}?tab=vulnerabilities`);
    await page.getByTestId('device-findings').waitFor();
    expect(await page.getByRole('button', { name: 'Update software' }).count()).toBe(0);
  });

  it('creates a compliance policy with a maximum vulnerability exposure level from the compliance page', async () => {
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/compliance`);
    const form = page.getByRole('form', { name: 'New compliance policy' });
    await form.getByLabel('Name').fill('Exposure at most low');
    await form.getByLabel('Highest vulnerability exposure level allowed').selectOption('low');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Exposure at most low' }).waitFor();
    const listed: { compliancePolicies: { name: string; settings: Record<string, unknown> }[] } = await endpoint.admin.ok(
      'GET',
      '/v1/admin/compliance-policies',
    );
    expect(listed.compliancePolicies.find((p) => p.name === 'Exposure at most low')?.settings).toEqual({ maxVulnerabilityExposureLevel: 'low' });
  });
});
