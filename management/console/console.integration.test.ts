// The web console in a real browser (Debian's chromium, headless, through playwright-core) against a real endpoint
// (the dist/ bundle, which embeds the console) and a real simulated agent: security headers and CSP, sign-in, a
// policy created through the catalog form (validation error, fix, what-if, save, assign), per-setting `succeeded`
// from the device, a Help Desk operator refused by UI and API, a group-scoped Endpoint Security Manager shown no
// policy writes or audit log but Sync on its device, a hostname carrying markup shown as text, a dynamic
// rule's live member preview, and every step (failed logins and the refused write included) in the audit log.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, enrollSimulatedAgent, type Proc, removeDir, startAgent, startEndpoint, tempDir, waitFor } from '../../test/harness.js';
import { findChromium, launchBrowser, newContext, signIn } from './testing/browser.js';

const chromiumFound = findChromium();
const missing = 'missing' in chromiumFound ? chromiumFound.missing : null;
if (missing) process.stderr.write(`console browser tests skipped: ${missing}\n`);

const PASSWORD = 'correct horse battery staple 42';
const SETTING = 'mdatp.antivirusEngine.maximumOnDemandScanThreads';
const MARKUP = '<img src=x onerror=alert(1)>';

describe.skipIf(missing !== null)(`web console in chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  let endpoint: Endpoint;
  let agent: Proc;
  let deviceId: string;
  let groupId: string;
  let browser: Browser;
  let admin: BrowserContext;
  const contexts: BrowserContext[] = [];

  /** A fresh browser context (no session cookie yet), closed after the file. */
  async function freshContext(): Promise<BrowserContext> {
    const context = await newContext(browser);
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context;
  }

  /** A page signed in as `username` in its own context. */
  async function signedIn(username: string): Promise<Page> {
    await ensureAccounts();
    return signIn(await freshContext(), endpoint.url, username, PASSWORD);
  }

  /** Fails with the page's error text when `selector` does not show because the page reported an error instead. */
  async function expectShown(page: Page, selector: string): Promise<void> {
    await page.locator(`${selector}, [role=alert]`).first().waitFor();
    const alert = page.getByRole('alert');
    if ((await alert.count()) > 0 && (await page.locator(selector).count()) === 0)
      throw new Error(`the page shows an error instead of ${selector}: ${await alert.first().innerText()}`);
  }
  let policyId: string | undefined;
  let accounts: Promise<void> | undefined;

  /** The named accounts (identity API, contract 3); fails naming the route when the endpoint lacks it. */
  function ensureAccounts(): Promise<void> {
    accounts ??= (async () => {
      for (const [username, role] of [
        ['alice', 'administrator'],
        ['hank', 'helpDeskOperator'],
        ['lou', 'readOnlyOperator'],
      ] as const) {
        const r = await endpoint.admin.call('POST', '/v1/admin/admins', { username, displayName: username, role, password: PASSWORD });
        if (r.status !== 201 && r.status !== 200)
          throw new Error(
            `creating admin ${username}: POST /v1/admin/admins → ${r.status} ${JSON.stringify(r.json)} (admin accounts API, contract 3, branch wt-identity)`,
          );
      }
    })();
    return accounts;
  }

  beforeAll(async () => {
    dir = await tempDir('console');
    endpoint = await startEndpoint(join(dir, 'endpoint'));
    const enrolled = await enrollSimulatedAgent(dir, endpoint);
    deviceId = enrolled.deviceId;
    agent = startAgent(enrolled.args);
    groupId = (await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'console-devices' })).groupId;
    await endpoint.admin.ok('POST', `/v1/admin/groups/${groupId}/members`, { deviceId });
    browser = await launchBrowser((chromiumFound as { path: string }).path);
    admin = await freshContext();
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await agent?.stop();
    await endpoint?.stop();
    if (dir) await removeDir(dir);
  });

  it('serves index.html and hashed assets with the security headers and cache rules', async () => {
    const index = await admin.request.get(`${endpoint.url}/`);
    expect(index.status()).toBe(200);
    const h = index.headers();
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"])
      expect(h['content-security-policy']).toContain(directive);
    expect(h['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(h).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' });
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const script = /src="\/(assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await admin.request.get(`${endpoint.url}/${script}`);
    expect(asset.status()).toBe(200);
    expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers()['content-security-policy']).toBeDefined();
    const gone = await admin.request.get(`${endpoint.url}/assets/main-NOPE.js`);
    expect(gone.status()).toBe(404);
    expect(gone.headers()['x-frame-options']).toBe('DENY');
  });

  it('blocks an inline script injected into the page (CSP)', async () => {
    const page = await admin.newPage();
    await page.goto(`${endpoint.url}/`);
    // Runs in the page (a string: this file is compiled for Node, without the DOM types).
    const result = await page.evaluate(`(async () => {
      const violation = new Promise((res) => document.addEventListener('securitypolicyviolation', (e) => res(e.violatedDirective), { once: true }));
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.head.append(s);
      return { directive: await violation, ran: window.injected === true };
    })()`);
    expect(result).toEqual({ directive: expect.stringMatching(/^script-src/), ran: false });
    await page.close();
  });

  it('refuses to be framed by another page (clickjacking: frame-ancestors, X-Frame-Options)', async () => {
    const page = await admin.newPage();
    await page.setContent(`<iframe id="f" src="${endpoint.url}/" width="600" height="400"></iframe>`);
    await page.waitForTimeout(1500);
    const framed = page.frames().find((f) => f !== page.mainFrame());
    const app = framed ? await framed.$('#app').catch(() => null) : null;
    expect(app).toBeNull();
    await page.close();
  });

  it('signs in, and tells a wrong password apart', async () => {
    await ensureAccounts();
    const page = await admin.newPage();
    await page.goto(`${endpoint.url}/`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password.');
    await page.close();
    const alice = await signedIn('alice');
    await expect.poll(() => alice.locator('.who').textContent()).toContain('administrator');
  });

  it('says when an account is locked after repeated wrong passwords, and until when', async () => {
    await ensureAccounts();
    const page = await (await freshContext()).newPage();
    await page.goto(`${endpoint.url}/`);
    await page.getByLabel('Username').fill('lou');
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) {
      await page.getByLabel('Password').fill(`wrong password ${i}`);
      const answer = page.waitForResponse((r) => r.url().endsWith('/v1/session') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Sign in' }).click();
      status = (await answer).status();
    }
    expect(status).toBe(429);
    await expect.poll(() => page.locator('[data-code]').getAttribute('data-code')).toBe('LOGIN_LOCKED');
    expect(await page.getByRole('alert').innerText()).toMatch(/this account is locked until .+ \(\d+ s\)/);
    await page.close();
  });

  it('works with the keyboard only, on a phone, and in dark', async () => {
    await ensureAccounts();
    const context = await freshContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${endpoint.url}/`);
    await page.getByLabel('Username').focus();
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    // The focus is on the page's content; Shift+Tab walks back through the header to the Devices link.
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    for (let i = 0; i < 15 && (await page.evaluate('document.activeElement.textContent')) !== 'Devices'; i++) await page.keyboard.press('Shift+Tab');
    // The keyboard focus is visible.
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    // Nothing wider than the phone but the tables' own scroll boxes.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(13, 17, 23)');
    await page.getByLabel('Theme').selectOption('light');
    await expect.poll(() => page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');
  });

  it('creates a policy through the catalog form: validation error, fix, what-if, save, assign', async () => {
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/policies/new`);
    await expectShown(page, '#p-name');
    await page.getByLabel('Name', { exact: true }).fill('Console AV');
    await page.getByLabel('Kind').selectOption('antivirus');
    const field = page.locator(`fieldset[data-setting="${SETTING}"]`);
    await field.getByRole('checkbox').check();
    const value = field.getByLabel(/value$/);
    await value.fill('999');
    await page.getByRole('button', { name: 'Preview changes (what-if)' }).click();
    await expect.poll(() => field.locator('.field-error').textContent()).toContain(`/settings/${SETTING}`);
    expect(await page.getByTestId('what-if').count()).toBe(0);

    await value.fill('4');
    await page.getByRole('button', { name: 'Preview changes (what-if)' }).click();
    await expect.poll(() => page.getByTestId('what-if').textContent()).toContain('device(s) affected');
    expect(await field.locator('.field-error').count()).toBe(0);
    await expect.poll(() => page.locator('.diff').textContent()).toContain(SETTING);
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.waitForURL(/#\/policies\/[0-9a-f-]{36}/);
    policyId = /#\/policies\/([0-9a-f-]{36})/.exec(page.url())?.[1];
    expect((await endpoint.admin.ok('GET', `/v1/admin/policies/${policyId}`)).settings).toEqual({ [SETTING]: 4 });

    await page.getByLabel('Group').selectOption(groupId);
    await page.getByLabel('Mode', { exact: true }).selectOption('include');
    await page.getByRole('button', { name: 'What-if', exact: true }).click();
    await expect.poll(() => page.getByTestId('what-if').last().textContent()).toContain('1 device(s) affected');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect.poll(() => page.getByTestId('assignments').textContent()).toContain('include console-devices');
    await page.close();
  }, 90_000);

  it('shows `succeeded` per setting once the simulated device reports', async () => {
    expect(policyId, 'the policy of the previous test').toBeDefined();
    await waitFor(
      'the device to report the policy',
      async () => {
        const status = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
        return status.settings.some((s: { settingId: string; state: string }) => s.settingId === SETTING && s.state === 'succeeded') ? true : undefined;
      },
      30_000,
    );
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/devices/${deviceId}`);
    const row = page.locator(`tr[data-setting="${SETTING}"]`);
    await expect.poll(() => row.textContent()).toContain('succeeded');
    expect(await row.textContent()).toContain('4');
    await page.close();
  }, 60_000);

  it('gives a Help Desk operator no policy write controls, and the API answers 403', async () => {
    expect(policyId, 'the policy of the earlier test').toBeDefined();
    const page = await signedIn('hank');
    await page.goto(`${endpoint.url}/#/policies`);
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Console AV', exact: true }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'New policy' }).count()).toBe(0);
    await page.goto(`${endpoint.url}/#/policies/${policyId}`);
    await expect.poll(() => page.getByText('Your role can view policies but not change them.').count()).toBe(1);
    await page.locator(`fieldset[data-setting="${SETTING}"]`).waitFor();
    expect(await page.getByRole('button', { name: /Preview changes|Save policy|Assign|Remove/ }).count()).toBe(0);
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    const answer = await page.evaluate(`(async () => {
      const session = await (await fetch('/v1/session')).json();
      const res = await fetch('/v1/admin/policies/${policyId}', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ name: 'Hijacked', kind: 'antivirus', settings: {} }),
      });
      return { status: res.status, code: (await res.json()).error?.code };
    })()`);
    expect(answer).toEqual({ status: 403, code: 'ADMIN_FORBIDDEN' });
    expect((await endpoint.admin.ok('GET', `/v1/admin/policies/${policyId}`)).name).toBe('Console AV');
  });

  it('gives a group-scoped Endpoint Security Manager no policy writes and no audit log, but Sync on a device in scope', async () => {
    expect(policyId, 'the policy of the earlier test').toBeDefined();
    await ensureAccounts();
    await endpoint.admin.ok('POST', '/v1/admin/admins', {
      username: 'esme',
      displayName: 'esme',
      role: 'endpointSecurityManager',
      password: PASSWORD,
      scopeGroupIds: [groupId],
    });
    const page = await signedIn('esme');
    await page.goto(`${endpoint.url}/#/policies`);
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Console AV', exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByRole('note').innerText()).toContain('scoped to groups console-devices: policies are read-only for you');
    expect(await page.getByRole('link', { name: 'New policy' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Policies' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await page.goto(`${endpoint.url}/#/policies/${policyId}`);
    await page.locator(`fieldset[data-setting="${SETTING}"]`).waitFor();
    await expect.poll(() => page.getByRole('note').innerText()).toContain('policies are read-only for you');
    expect(await page.getByRole('button', { name: /Preview changes|Save policy|Delete/ }).count()).toBe(0);
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    await page.goto(`${endpoint.url}/#/groups`);
    await page.getByRole('heading', { name: 'console-devices' }).waitFor();
    expect(await page.getByRole('form', { name: 'New group' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Delete group|Edit rule/ }).count()).toBe(0);
    await page.goto(`${endpoint.url}/#/devices/${deviceId}`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/^Sync (requested|queued)/);
  });

  it('shows a hostname containing markup as text, and no dialog opens', async () => {
    await ensureAccounts();
    const db = new Database(join(endpoint.dataDir, 'db.sqlite'));
    try {
      db.prepare('UPDATE devices SET hostname = ? WHERE device_id = ?').run(MARKUP, deviceId);
    } finally {
      db.close();
    }
    const page = await signedIn('alice');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${endpoint.url}/#/devices/${deviceId}`);
    await expect.poll(() => page.getByTestId('device-hostname').textContent()).toBe(MARKUP);
    await page.goto(`${endpoint.url}/#/devices`);
    await expect.poll(() => page.getByRole('link', { name: MARKUP }).count()).toBe(1);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('shows an Intune import as one unit in the policy list, and its source on the policy and compliance pages, as text', async () => {
    const source = { system: 'intune', id: 'c0ffee00-0000-4000-8000-00000000160a', name: `Intune ${MARKUP}`, description: 'from the lab' };
    const av = await endpoint.admin.ok('POST', '/v1/admin/policies', { name: 'Imported AV', kind: 'antivirus', settings: { [SETTING]: 2 }, source });
    await endpoint.admin.ok('POST', '/v1/admin/policies', { name: 'Imported EDR', kind: 'edr', settings: { 'mdatp.edr.groupIds': 'grp-1' }, source });
    await endpoint.admin.ok('POST', '/v1/admin/compliance-policies', { name: 'Imported compliance', settings: { requireFirewall: true }, source });
    const page = await signedIn('alice');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${endpoint.url}/#/policies`);
    const group = page.getByTestId('intune-group');
    await expectShown(page, '[data-testid=intune-group]');
    expect(await group.locator('th[scope=rowgroup]').innerText()).toBe(`Intune: Intune ${MARKUP} (${source.id}) — antivirus, edr`);
    expect(await group.getByRole('link', { name: /^Imported (AV|EDR)$/ }).count()).toBe(2);
    await page.goto(`${endpoint.url}/#/policies/${av.policyId}`);
    const box = page.getByRole('region', { name: 'Imported from Intune' });
    await expect.poll(() => box.locator('dd').first().textContent()).toBe(`Intune ${MARKUP}`);
    await page.goto(`${endpoint.url}/#/compliance`);
    await expect
      .poll(() => page.getByRole('region', { name: 'Imported from Intune' }).locator('dd').allTextContents())
      .toEqual([`Intune ${MARKUP}`, source.id, 'from the lab']);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it("previews a dynamic rule's members live as the rule changes, with the endpoint's errors beside the condition", async () => {
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/groups`);
    await page.getByLabel('Dynamic (members by rule)').check();
    const preview = page.getByTestId('rule-preview');
    const count = page.getByTestId('rule-preview-count');
    // The first condition is `platform equals windows`: the simulated device runs Linux.
    await expect.poll(() => count.textContent()).toBe('0 device(s) match');
    await page.getByLabel('Condition 1 value').selectOption('linux');
    await expect.poll(() => count.textContent()).toBe('1 device(s) match');
    expect(await preview.locator(`a[href="#/devices/${deviceId}"]`).count()).toBe(1);

    // Every OS the editor offers is one the endpoint accepts (`windows` is a Windows client).
    await page.getByLabel('Condition 1 attribute').selectOption('os');
    const condition = page.locator('fieldset.rule li').first();
    for (const os of ['windows', 'windowsServer', 'macos', 'linux']) {
      await page.getByLabel('Condition 1 value').selectOption(os);
      await expect.poll(() => count.textContent()).toBe(`${os === 'linux' ? 1 : 0} device(s) match`);
      expect(await condition.locator('.field-error').count()).toBe(0);
    }

    await page.getByLabel('Condition 1 attribute').selectOption('tags');
    await expect.poll(() => condition.locator('.field-error').textContent()).toMatch(/^Condition 1: must match pattern/);
    expect(await page.getByLabel('Condition 1 value').getAttribute('aria-invalid')).toBe('true');
    expect(await count.count()).toBe(0);
    await page.getByLabel('Condition 1 value').fill('no-such-tag');
    await expect.poll(() => count.textContent()).toBe('0 device(s) match');
    expect(await condition.locator('.field-error').count()).toBe(0);

    // Nothing was saved by previewing.
    expect((await endpoint.admin.ok('GET', '/v1/admin/groups')).groups.map((g: { name: string }) => g.name)).toEqual(['console-devices']);
    await page.close();
  });

  it('triages an alert from the device page (resolve, comment) with its title as text; a Help Desk operator gets no controls', async () => {
    const db = new Database(join(endpoint.dataDir, 'db.sqlite'));
    const now = new Date().toISOString();
    try {
      db.prepare(
        `INSERT INTO device_alerts (device_id, alert_id, category, severity, title, evidence, first_seen, last_seen, status, resolved_at, action, report_id, received_at)
         VALUES (?, 'posture.consoleTriage', 'posture', 'high', ?, '{}', ?, ?, 'active', NULL, NULL, 'console-test', ?)`,
      ).run(deviceId, `RTP ${MARKUP}`, now, now, now);
    } finally {
      db.close();
    }
    const helpDesk = await signedIn('hank');
    await helpDesk.goto(`${endpoint.url}/#/devices/${deviceId}`);
    await expect.poll(() => helpDesk.getByText(`RTP ${MARKUP}`).count()).toBe(1);
    expect(await helpDesk.getByText('Triage', { exact: true }).count()).toBe(0);
    await helpDesk.close();

    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/devices/${deviceId}`);
    await expect.poll(() => page.getByText(`RTP ${MARKUP}`).count()).toBe(1);
    expect(await page.locator('main img').count()).toBe(0);
    const row = page.locator('li', { hasText: `RTP ${MARKUP}` });
    await row.locator('summary').click();
    await row.getByLabel('Comment').fill('expected on this kiosk');
    await row.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Commented');
    await row.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Resolved');
    const view = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/alerts/posture.consoleTriage`);
    expect(view).toMatchObject({ effect: 'resolvedByAdmin', triage: { status: 'resolved', resolvedBy: 'alice' } });
    expect((view as { comments: { text: string }[] }).comments.map((c) => c.text)).toContain('expected on this kiosk');
    await page.close();
  });

  it('shows every step above in the audit log (API and the Audit log page)', async () => {
    expect(policyId, 'the policy of the earlier test').toBeDefined();
    const { entries } = await endpoint.admin.ok('GET', '/v1/admin/audit?limit=500');
    const steps = entries.map((e: { action: string; actor: { username: string } | null; outcome: string; errorCode: string | null }) =>
      [e.action, e.actor?.username ?? null, e.outcome, e.errorCode].join(' '),
    );
    expect(steps).toContain('session.login alice success ');
    expect(steps, "alice's wrong password").toContain('session.loginFailed alice failure LOGIN_FAILED');
    expect(steps, "lou's account locked by repeated wrong passwords").toContain('session.lockout lou failure LOGIN_LOCKED');
    expect(steps).toContain('policy.create alice success ');
    expect(steps).toContain('assignment.create alice success ');
    // A refused write is a step too: authorization runs after the audit hook has seen the request.
    expect(steps, "the Help Desk operator's refused policy change is audited").toContain('policy.update hank failure ADMIN_FORBIDDEN');
    const page = await signedIn('alice');
    await page.goto(`${endpoint.url}/#/audit?targetId=${policyId}`);
    const table = page.getByTestId('audit');
    await expect.poll(() => table.textContent()).toContain('policy.create');
    expect(await table.textContent()).toContain('alice');
    expect(await table.textContent()).toContain('hank');
    await page.goto(`${endpoint.url}/#/audit?action=session.loginFailed`);
    await expect.poll(() => table.textContent()).toContain('LOGIN_FAILED');
    expect(await table.textContent()).toContain('alice');
    await page.close();
  });
});
