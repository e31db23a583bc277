// Integration test of the `serve` CLI as a real process: the one JSON "listening" line, admin.json, a working admin
// API, exit 0 on SIGTERM, and a second start that reuses the CA, tenant and admin token.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, httpsRequest } from './testing/https-client.js';

const MAIN = resolve('management/src/main.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-serve-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  readonly line: { event: string; url: string; dataDir: string };
  readonly extraStdout: () => string;
}

function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolvePromise({ child, line: JSON.parse(stdout.slice(0, newline)), extraStdout: () => stdout.slice(newline + 1) });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill('SIGTERM');
  });
}

describe('attache-management serve', () => {
  it('prints one listening line, writes admin.json, serves the admin API and exits 0 on SIGTERM; restarts reuse identity', async () => {
    const first = await serve(dir);
    expect(first.line).toEqual({ event: 'listening', url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), dataDir: dir });
    const admin = JSON.parse(await readFile(join(dir, 'admin.json'), 'utf8'));
    expect(admin).toEqual({ url: first.line.url, caFile: join(dir, 'ca.pem'), tokenFile: join(dir, 'admin.token') });
    expect((await stat(join(dir, 'admin.json'))).mode & 0o777).toBe(0o600);
    const ca = await readFile(admin.caFile, 'utf8');
    const token = (await readFile(admin.tokenFile, 'utf8')).trim();
    const ok = await httpsRequest(first.line.url, ca, 'GET', '/v1/admin/devices', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const pkg = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/onboarding-packages', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const tenantId = (pkg.body as { tenantId: string }).tenantId;
    expect(await stop(first.child)).toBe(0);
    expect(first.extraStdout()).toBe('');

    const second = await serve(dir);
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(ca);
    expect((await readFile(join(dir, 'admin.token'), 'utf8')).trim()).toBe(token);
    const again = await httpsRequest(second.line.url, ca, 'POST', '/v1/admin/onboarding-packages', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect((again.body as { tenantId: string }).tenantId).toBe(tenantId);
    const denied = await httpsRequest(second.line.url, ca, 'GET', '/v1/admin/devices', { headers: { authorization: 'Bearer wrong' } });
    expect(errorCode(denied)).toBe('ADMIN_UNAUTHORIZED');
    expect(await stop(second.child)).toBe(0);
  });
});
