// Issue 17's "done when", with real processes on Linux: the endpoint (dist/) in its own network namespace, the agent
// daemon (dist/, real Linux host) in another, a peer in a third, joined by veth links. An admin, through the admin
// CLI, isolates the device (proven by traffic: the peer is cut off both ways, the endpoint stays reachable), the
// isolation survives an agent restart after its table was deleted (reboot stand-in), release leaves the ruleset
// byte-identical; collects an investigation package and downloads it (hash and manifest checked); stops and
// quarantines a running binary by SHA-256, then restores it; offboards it. Not root, no `ip netns` or no nft: fails with the reason.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNetnsHost, NetnsPool, startNodeInNetns } from '../agent/src/providers/linux/testing/netns-harness.js';
import { NodeCommandRunner } from '../agent/src/system/command-runner.js';
import { ROOT, removeDir, tempDir, waitFor } from './harness.js';

const AGENT_TO_ENDPOINT = '10.253.0.1';
const ENDPOINT = '10.253.0.2';
const AGENT_TO_PEER = '10.253.1.1';
const PEER = '10.253.1.2';
const ENDPOINT_PORT = 8443;
const BLOCKED_WAIT_MS = 1500;
// One TCP connection: prints connected | refused | timeout | error:<code>.
const CLIENT = `const net = require('node:net'); const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) }); const done = (r) => { process.stdout.write(r); s.destroy(); process.exit(0); };
s.setTimeout(Number(ms), () => done('timeout')); s.on('connect', () => done('connected'));
s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));`;
const SERVER = `const net = require('node:net'); const [host, port] = process.argv.slice(1);
net.createServer((s) => { s.on('error', () => {}); s.end('hello\\n'); }).listen(Number(port), host, () => console.log('ready'));`;

const pool = new NetnsPool();
const runner = new NodeCommandRunner();
const children: ChildProcess[] = [];
const ns = { agent: '', endpoint: '', peer: '' };
let dir: string;
let deviceId: string;
let agentArgs: string[];
let agentDaemon: ChildProcess | undefined;

const dist = (name: string) => join(ROOT, 'dist', name);

async function inNs(namespace: string, file: string, args: string[], timeoutMs = 60_000) {
  return runner.run({ file: 'ip', args: ['netns', 'exec', namespace, file, ...args], timeoutMs });
}

/** The admin CLI, run in the endpoint's namespace against its data dir; JSON answer. */
async function admin(...args: string[]): Promise<any> {
  const r = await inNs(ns.endpoint, process.execPath, [dist('attache-admin.cjs'), '--data-dir', join(dir, 'endpoint'), '--json', ...args]);
  if (r.code !== 0) throw new Error(`attache-admin ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout);
}

async function connect(from: string, host: string, port: number): Promise<string> {
  const r = await inNs(from, process.execPath, ['-e', CLIENT, host, String(port), String(BLOCKED_WAIT_MS)], BLOCKED_WAIT_MS + 10_000);
  return r.stdout;
}

/** `attache-agent status --json` on the device, as a local operator sees it. */
async function agentStatus(): Promise<any> {
  const r = await inNs(ns.agent, process.execPath, [dist('attache-agent.cjs'), ...agentArgs, 'status', '--json']);
  if (r.code !== 0) throw new Error(`attache-agent status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const ruleset = async () => (await inNs(ns.agent, 'nft', ['list', 'ruleset'])).stdout;

function startAgentDaemon(): void {
  agentDaemon = spawn('ip', ['netns', 'exec', ns.agent, process.execPath, dist('attache-agent.cjs'), ...agentArgs, 'run'], { stdio: 'ignore' });
  children.push(agentDaemon);
}

async function stopAgentDaemon(signal: NodeJS.Signals): Promise<void> {
  const child = agentDaemon;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** The end of the agent's log files, for a failure message. */
async function agentLogTail(): Promise<string> {
  const logs = join(dir, 'agent-logs');
  const names = await readdir(logs).catch(() => [] as string[]);
  const text = (await Promise.all(names.sort().map((n) => readFile(join(logs, n), 'utf8').catch(() => '')))).join('');
  return text.split('\n').slice(-40).join('\n');
}

/** Asks for an action through the CLI and waits until it is finished; returns the action as `action show` gives it. */
async function runAction(type: string, ...options: string[]): Promise<any> {
  const created = await admin('action', 'create', type, '--device', deviceId, '--comment', `e2e ${type}`, ...options);
  let last: unknown;
  return waitFor(
    `${type} finished`,
    async () => {
      const a = await admin('action', 'show', created.id);
      last = a;
      return ['succeeded', 'failed', 'timeOut', 'cancelled'].includes(a.status) ? a : undefined;
    },
    60_000,
    250,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(last)}; agent log:\n${await agentLogTail()}`);
  });
}

const reachability = async () => ({
  peerToAgent: await connect(ns.peer, AGENT_TO_PEER, 7000),
  agentToPeer: await connect(ns.agent, PEER, 9000),
  agentToEndpoint: await connect(ns.agent, ENDPOINT, ENDPOINT_PORT),
});

beforeAll(async () => {
  await assertNetnsHost(runner);
  dir = await tempDir('response-actions');
  ns.agent = await pool.create('attache-ra');
  ns.endpoint = await pool.create('attache-re');
  ns.peer = await pool.create('attache-rp');
  await pool.link(ns.agent, `${AGENT_TO_ENDPOINT}/30`, ns.endpoint, `${ENDPOINT}/30`, 'vethep');
  await pool.link(ns.agent, `${AGENT_TO_PEER}/30`, ns.peer, `${PEER}/30`, 'vethpe');
  children.push(await startNodeInNetns(ns.peer, SERVER, [PEER, '9000']));
  children.push(await startNodeInNetns(ns.agent, SERVER, [AGENT_TO_PEER, '7000']));

  const endpoint = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns.endpoint,
      process.execPath,
      dist('attache-management.cjs'),
      'serve',
      '--data-dir',
      join(dir, 'endpoint'),
      '--listen',
      `${ENDPOINT}:${ENDPOINT_PORT}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(endpoint);
  let endpointOutput = '';
  endpoint.stderr?.on('data', (d: Buffer) => {
    endpointOutput += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`endpoint did not start:\n${endpointOutput}`)), 30_000);
    endpoint.stdout?.on('data', (d: Buffer) => {
      endpointOutput += d.toString();
      if (endpointOutput.includes('"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    endpoint.once('exit', (code) => reject(new Error(`endpoint exited ${code}:\n${endpointOutput}`)));
  });

  const pkg = join(dir, 'onboarding.json');
  await admin('onboarding', 'create', '--out', pkg);
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, logDir: join(dir, 'agent-logs') }));
  agentArgs = ['--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'agent')];
  const enrolled = await inNs(ns.agent, process.execPath, [dist('attache-agent.cjs'), ...agentArgs, 'enroll', '--package', pkg, '--json']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(enrolled.stdout).deviceId;
  startAgentDaemon();
  await waitFor('the device has a push connection', async () => ((await admin('device', 'show', deviceId))?.connected ? true : undefined), 30_000);
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await pool.deleteAll();
  if (dir) await removeDir(dir);
});

describe('response actions end to end on a real Linux host (network namespaces)', { timeout: 90_000 }, () => {
  let before: string;

  it('isolates the device: the peer is cut off both ways, the endpoint stays reachable', async () => {
    expect(await reachability()).toEqual({ peerToAgent: 'connected', agentToPeer: 'connected', agentToEndpoint: 'connected' });
    before = await ruleset();
    const action = await runAction('isolate');
    expect(action, JSON.stringify(action)).toMatchObject({ status: 'succeeded', type: 'isolate', deliveredAt: expect.any(String) });
    expect(action.result.allowed).toEqual([expect.objectContaining({ port: ENDPOINT_PORT, addresses: [ENDPOINT] })]);
    expect(await reachability()).toEqual({ peerToAgent: 'timeout', agentToPeer: 'timeout', agentToEndpoint: 'connected' });
    expect((await agentStatus()).isolation).toEqual({ isolated: true, mode: 'full', since: expect.any(String), allowed: [`${ENDPOINT}:${ENDPOINT_PORT}`] });
  });

  it('keeps the isolation across an agent restart after its table was deleted (reboot stand-in)', async () => {
    await stopAgentDaemon('SIGKILL');
    const deleted = await inNs(ns.agent, 'nft', ['delete', 'table', 'inet', 'attache_isolation']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await connect(ns.agent, PEER, 9000)).toBe('connected');
    startAgentDaemon();
    await waitFor('isolation re-applied at start', async () => ((await ruleset()).includes('table inet attache_isolation') ? true : undefined), 30_000);
    expect(await reachability()).toEqual({ peerToAgent: 'timeout', agentToPeer: 'timeout', agentToEndpoint: 'connected' });
  });

  it('releases the device: the ruleset is byte-identical to before and the peer reachable again', async () => {
    const action = await runAction('release');
    expect(action, JSON.stringify(action)).toMatchObject({ status: 'succeeded', result: { wasIsolated: true } });
    expect(await ruleset()).toBe(before);
    expect((await agentStatus()).isolation).toEqual({ isolated: false });
    expect(await reachability()).toEqual({ peerToAgent: 'connected', agentToPeer: 'connected', agentToEndpoint: 'connected' });
  });

  it('collects an investigation package the admin downloads with the CLI: hash and manifest check out', async () => {
    const action = await runAction('collectInvestigationPackage');
    expect(action, JSON.stringify(action)).toMatchObject({ status: 'succeeded' });
    const out = join(dir, 'package.tar.gz');
    await admin('action', 'package', action.id, '--out', out);
    const bytes = await readFile(out);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(action.result.sha256);
    expect(bytes.length).toBe(action.result.sizeBytes);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const listing = await runner.run({ file: 'tar', args: ['-tzf', out], timeoutMs: 30_000 });
    expect(listing.code, listing.stderr).toBe(0);
    const names = listing.stdout.split('\n').filter(Boolean);
    expect(names).toContain('manifest.json');
    const manifest = JSON.parse((await runner.run({ file: 'tar', args: ['-xzOf', out, 'manifest.json'], timeoutMs: 30_000 })).stdout);
    expect(manifest).toMatchObject({ deviceId });
    // Every entry the manifest lists as collected is in the archive with its hash; a source that failed says why.
    const collected = (manifest.entries as { name: string; sha256?: string; error?: string }[]).filter((e) => e.error === undefined);
    expect(collected.length).toBeGreaterThan(3);
    const extracted = join(dir, 'package');
    await mkdir(extracted);
    const untar = await runner.run({ file: 'tar', args: ['-xzf', out, '-C', extracted], timeoutMs: 30_000 });
    expect(untar.code, untar.stderr).toBe(0);
    for (const entry of collected) {
      expect(names).toContain(entry.name);
      expect(
        createHash('sha256')
          .update(await readFile(join(extracted, entry.name)))
          .digest('hex'),
        entry.name,
      ).toBe(entry.sha256);
    }
    expect(names.length).toBe(action.result.entries);
    expect(names.some((n) => /identity|device-key|\.pem$/.test(n))).toBe(false);
  });

  it('stops and quarantines a running binary by SHA-256, then restores it exactly', async () => {
    // A unique copy of sleep (one byte appended), so no other process on the machine has its hash.
    const binDir = join(dir, 'bin');
    await mkdir(binDir);
    const binary = join(binDir, 'e2e-sleeper');
    await copyFile('/bin/sleep', binary);
    await writeFile(binary, Buffer.concat([await readFile(binary), Buffer.from(`\n${dir}\n`)]));
    await chmod(binary, 0o751);
    const sha256 = createHash('sha256')
      .update(await readFile(binary))
      .digest('hex');
    const sleeper = spawn('ip', ['netns', 'exec', ns.agent, binary, '600'], { stdio: 'ignore' });
    children.push(sleeper);
    const exited = new Promise((r) => sleeper.once('exit', (code, signal) => r(signal ?? code)));
    // `ip netns exec` becomes the binary (same pid) once it has joined the namespace.
    await waitFor('the binary runs', async () => ((await readlink(`/proc/${sleeper.pid}/exe`).catch(() => '')) === binary ? true : undefined));

    const action = await runAction('stopAndQuarantineFile', '--sha256', sha256);
    expect(action, JSON.stringify(action)).toMatchObject({
      status: 'succeeded',
      result: { sha256, items: [expect.objectContaining({ originalPath: binary, sha256 })] },
    });
    expect(action.result.killed.length).toBeGreaterThanOrEqual(1);
    expect(await exited).toBe('SIGKILL');
    await expect(stat(binary)).rejects.toMatchObject({ code: 'ENOENT' });

    const restored = await runAction('restoreFromQuarantine', '--quarantine-id', action.result.items[0].quarantineId);
    expect(restored, JSON.stringify(restored)).toMatchObject({ status: 'succeeded', result: { restoredPath: binary } });
    expect(
      createHash('sha256')
        .update(await readFile(binary))
        .digest('hex'),
    ).toBe(sha256);
    expect((await stat(binary)).mode & 0o777).toBe(0o751);
  });

  it('offboards the device: reported, identity deleted, daemon gone; the endpoint refuses anything more for it', async () => {
    const daemon = agentDaemon as ChildProcess;
    const exited = new Promise((r) => daemon.once('exit', (code) => r(code)));
    const action = await runAction('offboard');
    expect(action, JSON.stringify(action)).toMatchObject({ status: 'succeeded', result: { restoredSettings: 0, failedSettings: 0 } });
    // No systemd in this container: disabling the service fails, is logged, and the daemon still exits 0.
    expect(await exited).toBe(0);
    await expect(stat(join(dir, 'agent', 'identity.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await admin('device', 'show', deviceId)).toMatchObject({ offboardedAt: expect.any(String) });
    const refused = await inNs(ns.endpoint, process.execPath, [
      dist('attache-admin.cjs'),
      '--data-dir',
      join(dir, 'endpoint'),
      '--json',
      'action',
      'create',
      'runAntivirusScan',
      '--device',
      deviceId,
      '--comment',
      'after offboarding',
    ]);
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stdout || refused.stderr).error.code).toBe('DEVICE_OFFBOARDED');
  });
});
