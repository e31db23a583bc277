// Test support: Debian's chromium driven headless through playwright-core (no browser download), and a signed-in
// console page. `npm test` installs chromium when it is missing and runs as root (scripts/system-tools.ts); without
// it, findChromium() names what is missing and the browser tests skip with that message.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The chromium executable, or why there is none. */
export function findChromium(): { path: string } | { missing: string } {
  const path = CANDIDATES.find((p) => existsSync(p));
  return path
    ? { path }
    : { missing: `chromium is not installed (looked for ${CANDIDATES.join(', ')}); install Debian's chromium package to run the console browser tests` };
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  // --no-sandbox: the tests run as root in a container, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

/** A fresh browser context (own cookies) that trusts the endpoint's self-signed CA, at 1280×800 in the light theme. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
}

/** Opens the console and signs in; resolves once the dashboard heading shows. */
export async function signIn(context: BrowserContext, baseUrl: string, username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  return page;
}
