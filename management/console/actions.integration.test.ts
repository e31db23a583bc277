// Response actions in the web console, in Debian's chromium (playwright-core) against the dist/ endpoint and a device
// that signs its own requests: the device page's action bar (a scan with its type and comment, the endpoint's 400
// naming the field beside the form, the history), the action center (filters in the URL, Cancel with its comment
// only where the endpoint allows it, the package download once the device uploaded it, byte-identical), each control
// only for roles allowed it (Help Desk: the scan only; Read Only: none), and admin and device strings as text.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineAction } from '../../policy-schemas/src/index.js';
import { type Endpoint, removeDir, startEndpoint, tempDir } from '../../test/harness.js';
import { putChunk } from '../src/testing/action-device.js';
import { TEST_FACTS, TestDevice } from '../src/testing/https-client.js';
import { findChromium, launchBrowser, newContext, signIn } from './testing/browser.js';

const chromiumFound = findChromium();
const missing = 'missing' in chromiumFound ? chromiumFound.missing : null;
if (missing) process.stderr.write(`console browser tests skipped: ${missing}\n`);

const PASSWORD = 'correct horse battery staple 42';
const MARKUP = '<img src=x onerror=alert(1)>';

describe.skipIf(missing !== null)(`console response actions in chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  let endpoint: Endpoint;
  let device: TestDevice;
  let ca: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Any dialog a page opened (markup in a comment must stay text). */
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

  const actions = async (query = '') => (await endpoint.admin.ok('GET', `/v1/admin/actions?deviceId=${device.deviceId}${query}`)).actions as MachineAction[];

  beforeAll(async () => {
    dir = await tempDir('console-actions');
    endpoint = await startEndpoint(join(dir, 'endpoint'));
    for (const [username, role] of [
      ['alice', 'administrator'],
      ['hank', 'helpDeskOperator'],
      ['lou', 'readOnlyOperator'],
    ] as const) {
      await endpoint.admin.ok('POST', '/v1/admin/admins', { username, displayName: username, role, password: PASSWORD });
    }
    const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {});
    ca = pkg.caCertificate;
    device = new TestDevice(endpoint.url, ca, { ...TEST_FACTS, hostname: 'console-actions-1' });
    const enrolled = await device.enroll(pkg.enrollmentToken);
    if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status} ${enrolled.text}`);
    browser = await launchBrowser((chromiumFound as { path: string }).path);
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await endpoint?.stop();
    if (dir) await removeDir(dir);
  });

  it('runs a full scan from the device page, shows the refused field beside the form, and the history', async () => {
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/devices/${device.deviceId}`);
    const bar = page.getByRole('toolbar', { name: 'Response actions' });
    await expect
      .poll(() => bar.getByRole('button').allInnerTexts())
      .toEqual([
        'Isolate device',
        'Release from isolation',
        'Run antivirus scan',
        'Collect investigation package',
        'Stop and quarantine file',
        'Restore file from quarantine',
        'Offboard device',
        'Update software',
      ]);
    await bar.getByRole('button', { name: 'Run antivirus scan' }).click();
    const form = page.getByRole('form', { name: 'Run antivirus scan' });
    expect(await form.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
    await form.getByLabel('Scan type').selectOption('full');
    await form.getByLabel('Comment (required)').fill(`INC-7 ${MARKUP}`);
    await form.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(() => page.getByRole('status').innerText())
      .toMatch(/^Run antivirus scan requested on console-actions-1 \(action [0-9a-f-]{36}, pending\)/);
    const [scan] = await actions();
    expect(scan).toMatchObject({
      type: 'runAntivirusScan',
      parameters: { scanType: 'full' },
      requestorComment: `INC-7 ${MARKUP}`,
      requestor: { username: 'alice' },
    });
    const row = page.locator(`tr[data-action="${scan?.id}"]`);
    await expect.poll(() => row.innerText()).toContain('full scan');
    expect(await row.innerText()).toContain(`INC-7 ${MARKUP}`);
    expect(await page.locator('main img').count()).toBe(0);

    await bar.getByRole('button', { name: 'Stop and quarantine file' }).click();
    const quarantine = page.getByRole('form', { name: 'Stop and quarantine file' });
    await quarantine.getByLabel('File SHA-256').fill('not-a-hash');
    await quarantine.getByLabel('Comment (required)').fill('INC-7');
    await quarantine.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => quarantine.getByRole('alert').innerText()).toContain('/sha256');
    expect((await actions()).length).toBe(1);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('filters the action center, cancels with a comment where allowed, and downloads an uploaded package', async () => {
    const collect = (await endpoint.admin.ok('POST', `/v1/admin/devices/${device.deviceId}/collectInvestigationPackage`, {
      comment: 'evidence',
    })) as MachineAction;
    const bytes = Buffer.alloc(5000, 3);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const uploaded = await putChunk(endpoint.url, ca, device, collect.id, { offset: 0, size: bytes.length, sha256 }, bytes);
    expect(uploaded.status, uploaded.text).toBe(200);

    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/dashboard`);
    await page.getByRole('link', { name: 'Actions' }).click();
    await page.getByRole('heading', { name: 'Action center', level: 1 }).waitFor();
    await page.getByLabel('Type').selectOption('runAntivirusScan');
    await expect.poll(() => page.url()).toContain('type=runAntivirusScan');
    const table = page.getByTestId('actions');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    const scanRow = table.locator('tbody tr').first();
    await scanRow.getByRole('button', { name: 'Cancel…' }).click();
    await scanRow.getByLabel('Why cancel?').fill('wrong device');
    await scanRow.getByRole('button', { name: 'Cancel action' }).click();
    await expect.poll(() => scanRow.locator('.badge').innerText()).toBe('cancelled');
    expect(await scanRow.getByRole('button', { name: 'Cancel…' }).count()).toBe(0);
    expect((await actions('&type=runAntivirusScan'))[0]?.cancellation).toMatchObject({ comment: 'wrong device', requestor: { username: 'alice' } });

    await page.getByLabel('Type').selectOption('collectInvestigationPackage');
    const collectRow = page.locator(`tr[data-action="${collect.id}"]`);
    const link = collectRow.getByRole('link', { name: 'Download package' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(Buffer.compare(await readFile(await download.path()), bytes)).toBe(0);
    expect(download.suggestedFilename()).toBe(`console-actions-1-${collect.id}.tar.gz`);
    await page.close();
  });

  it('shows each role only the controls it may use', async () => {
    const helpDesk = await signedIn('hank');
    await helpDesk.goto(`${endpoint.url}/#/devices/${device.deviceId}`);
    const bar = helpDesk.getByRole('toolbar', { name: 'Response actions' });
    await expect.poll(() => bar.getByRole('button').allInnerTexts()).toEqual(['Run antivirus scan']);
    await helpDesk.goto(`${endpoint.url}/#/actions`);
    await helpDesk.getByTestId('actions').waitFor();
    expect(await helpDesk.getByRole('button', { name: 'Cancel…' }).count()).toBe(0);
    expect(await helpDesk.getByRole('link', { name: 'Download package' }).count()).toBe(0);

    const readOnly = await signedIn('lou');
    await readOnly.goto(`${endpoint.url}/#/devices/${device.deviceId}`);
    await readOnly.getByRole('heading', { name: 'Response actions' }).waitFor();
    await readOnly.getByTestId('actions').waitFor();
    expect(await readOnly.getByRole('toolbar', { name: 'Response actions' }).count()).toBe(0);
    expect(await readOnly.getByRole('link', { name: 'Actions' }).count()).toBe(1);
  });
});
