// The Windows service wrapper with the real win-x64 single executable, under Wine (skipped where wine64 or
// mingw-w64 are missing, as in CI; `apt-get install wine64 gcc-mingw-w64-x86-64-win32` to run it): the agent
// starts, syncs with a real endpoint, and stops gracefully when the wrapper is told to stop. The SCM registration,
// ACLs and recovery actions of install.ps1 need a real Windows (docs/install.md, manual check list).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinaries } from '../scripts/build-binaries.js';
import { buildWindowsService } from '../scripts/build-win-service.js';
import { agentCommand, type Endpoint, ROOT, removeDir, startEndpoint, tempDir, waitFor } from './harness.js';

const WINE = ['/usr/lib/wine/wine64', '/usr/bin/wine64'].find((p) => existsSync(p));
const MINGW = ['/usr/bin/x86_64-w64-mingw32-gcc'].find((p) => existsSync(p));

let dir: string;
let endpoint: Endpoint;
let wrapper: ChildProcess | undefined;

/** Z:\ is the Unix root in Wine. */
const winPath = (p: string) => `Z:${p.replaceAll('/', '\\')}`;

beforeAll(async () => {
  if (!WINE || !MINGW) return;
  dir = await tempDir('windows');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
  const app = join(dir, 'app');
  await mkdir(app, { recursive: true });
  const [agent] = await buildBinaries({ targets: ['win-x64'], outDir: join(dir, 'bin') });
  await copyFile(agent?.file as string, join(app, 'attache-agent.exe'));
  await copyFile((await buildWindowsService({ outDir: join(dir, 'bin') })) as string, join(app, 'attache-service.exe'));
  // Enrolled with the Linux bundle: identity.json and the key are the same files on every OS.
  await mkdir(join(dir, 'state'), { recursive: true });
  const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: 1, expiresInMinutes: 60 });
  await writeFile(join(dir, 'onboarding.json'), JSON.stringify(pkg));
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ host: { kind: 'simulated', platform: 'windows' } }));
  const enrolled = await agentCommand(['--state-dir', join(dir, 'state'), 'enroll', '--package', join(dir, 'onboarding.json')]);
  if (enrolled.code !== 0) throw new Error(enrolled.stderr);
}, 300_000);

afterAll(async () => {
  if (wrapper && wrapper.exitCode === null) wrapper.kill('SIGKILL');
  // Wine's server for our prefix would linger a few seconds after its last process; end it before deleting the prefix.
  const wineserver = WINE?.replace(/wine64$/, 'wineserver');
  if (dir && wineserver && existsSync(wineserver)) {
    try {
      execFileSync(wineserver, ['-k'], { env: { ...process.env, WINEPREFIX: join(dir, 'wineprefix') }, stdio: 'ignore' });
    } catch {
      // no server running for this prefix
    }
  }
  await endpoint?.stop();
  if (dir) await removeDir(dir);
});

describe.skipIf(!WINE || !MINGW)('Windows service wrapper under Wine', () => {
  it('runs the agent, which syncs, and stops it gracefully when asked', async () => {
    const logs = join(dir, 'logs');
    wrapper = spawn(WINE as string, [join(dir, 'app/attache-service.exe'), '--console'], {
      // Wine writes its prefix and menus under HOME; a fresh prefix reports an old Windows, which Node refuses.
      env: {
        ...process.env,
        HOME: dir,
        WINEPREFIX: join(dir, 'wineprefix'),
        WINEDEBUG: '-all',
        NODE_SKIP_PLATFORM_CHECK: '1',
        // A simulated Windows host: this test is about the wrapper and the service lifecycle, not the OS providers
        // (Wine has no PowerShell, Defender or firewall to manage).
        ATTACHE_CONFIG: winPath(join(dir, 'agent.json')),
        ATTACHE_STATE_DIR: winPath(join(dir, 'state')),
        ATTACHE_LOG_DIR: winPath(logs),
      },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const exited = new Promise<number | null>((res) => wrapper?.once('exit', (code) => res(code)));
    const agentLog = () => readFile(join(logs, 'agent.log'), 'utf8').catch(() => '');
    const consoleLog = () => readFile(join(logs, 'agent-console.log'), 'utf8').catch(() => '(none)');
    await waitFor('first sync under Wine', async () => ((await agentLog()).includes('"sync finished"') ? true : undefined), 150_000, 500).catch(
      async (err: Error) => {
        throw new Error(`${err.message}\nagent.log:\n${await agentLog()}\nagent-console.log:\n${await consoleLog()}`);
      },
    );
    const deviceId = JSON.parse(await readFile(join(dir, 'state/identity.json'), 'utf8')).deviceId;
    await waitFor('push channel from Wine', async () => ((await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? true : undefined));

    wrapper.stdin?.end(); // console mode: end of stdin = SERVICE_CONTROL_STOP
    expect(await exited).toBe(0);
    const lines = (await agentLog())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.message === 'stopping')).toMatchObject({ signal: 'stdin closed' });
    expect(lines.at(-1)).toMatchObject({ message: 'agent stopped' });
  }, 240_000);
});

describe('Windows installer files', () => {
  it('agree on the service name and the executable names the build produces', async () => {
    const install = await readFile(join(ROOT, 'installers/windows/install.ps1'), 'utf8');
    const uninstall = await readFile(join(ROOT, 'installers/windows/uninstall.ps1'), 'utf8');
    const wrapperSource = await readFile(join(ROOT, 'installers/windows/service/attache-service.c'), 'utf8');
    const name = /#define SERVICE_NAME L"([^"]+)"/.exec(wrapperSource)?.[1];
    expect(name).toBe('AttacheAgent');
    for (const ps1 of [install, uninstall]) expect(ps1).toContain(`$ServiceName = '${name}'`);
    expect(wrapperSource).toContain('attache-agent.exe\\" run');
    // PowerShell 5.1 reads BOM-less files as ANSI: the scripts must stay ASCII.
    expect([install, uninstall].every((t) => [...t].every((c) => c.charCodeAt(0) < 128))).toBe(true);
  });
});
