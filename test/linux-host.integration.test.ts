// The agent on a real Linux host, end to end: endpoint and agent run inside a network namespace created here (their
// HTTPS on that namespace's loopback), the agent uses its real Linux providers (no --simulated), and an admin assigns
// a linuxFirewall policy with the admin CLI. Real connections from a second namespace prove the firewall does what
// the policy says; unassigning the policy restores the namespace's previous ruleset exactly (no tattooing). The
// Defender settings of the same device are reported notApplicable with the reason, since mdatp is not installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNetnsHost, NetnsPool } from '../agent/src/providers/linux/testing/netns-harness.js';
import { NodeCommandRunner } from '../agent/src/system/command-runner.js';
import { ROOT, removeDir, tempDir, waitFor } from './harness.js';

const DEVICE_ADDRESS = '10.250.3.2';
const CLIENT_ADDRESS = '10.250.3.1';
const BLOCKED_WAIT_MS = 1500;
const CLIENT = `const net = require('node:net'); const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) }); const done = (r) => { process.stdout.write(r); s.destroy(); process.exit(0); };
s.setTimeout(Number(ms), () => done('timeout')); s.on('data', () => done('connected'));
s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));`;
const SERVER = `const net = require('node:net'); const [host, ...ports] = process.argv.slice(1); let n = 0;
for (const port of ports) net.createServer((s) => s.end('hello\\n')).listen(Number(port), host, () => { if (++n === ports.length) console.log('ready'); });`;

const pool = new NetnsPool();
const runner = new NodeCommandRunner();
const children: ChildProcess[] = [];
let device: string;
let client: string;
let dir: string;
let deviceId: string;
let rulesetBefore: string;

const dist = (name: string) => join(ROOT, 'dist', name);

/** Runs a command inside a namespace to completion. */
async function inNs(ns: string, file: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runner.run({ file: 'ip', args: ['netns', 'exec', ns, file, ...args], timeoutMs });
}

/** Starts a long-running process inside a namespace and resolves when a line matches. */
function startInNs(
  ns: string,
  args: string[],
  ready: (line: string) => string | undefined,
): Promise<{ child: ChildProcess; value: string; output: () => string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start in ${ns}:\n${output}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}:\n${output}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output += `${line}\n`;
      const value = ready(line);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve({ child, value, output: () => output });
      }
    });
  });
}

async function admin(...args: string[]): Promise<any> {
  const r = await inNs(device, process.execPath, [dist('attache-admin.cjs'), '--data-dir', join(dir, 'endpoint'), '--json', ...args]);
  if (r.code !== 0) throw new Error(`attache-admin ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function connect(port: number): Promise<string> {
  const r = await inNs(client, process.execPath, ['-e', CLIENT, DEVICE_ADDRESS, String(port), String(BLOCKED_WAIT_MS)], BLOCKED_WAIT_MS + 10_000);
  return r.stdout;
}

async function ruleset(): Promise<string> {
  return (await inNs(device, 'nft', ['list', 'ruleset'])).stdout;
}

const status = () => admin('device', 'status', deviceId);

beforeAll(async () => {
  await assertNetnsHost();
  dir = await tempDir('linux-host');
  device = await pool.create('attache-dev');
  client = await pool.create('attache-cli');
  await pool.link(client, `${CLIENT_ADDRESS}/30`, device, `${DEVICE_ADDRESS}/30`);
  // Someone else's table on the device, which the agent must never touch.
  const setup = await runner.run({
    file: 'ip',
    args: ['netns', 'exec', device, 'nft', '-f', '-'],
    stdin: 'table inet filter {\n  chain input {\n    type filter hook input priority 10; policy accept;\n    tcp dport 9 counter accept\n  }\n}\n',
  });
  expect(setup.code, setup.stderr).toBe(0);
  rulesetBefore = await ruleset();
  expect(rulesetBefore).toContain('table inet filter');
  await startInNs(device, ['-e', SERVER, DEVICE_ADDRESS, '8080', '8081'], (l) => (l.includes('ready') ? 'ok' : undefined));

  const endpoint = await startInNs(
    device,
    [dist('attache-management.cjs'), 'serve', '--data-dir', join(dir, 'endpoint'), '--listen', '127.0.0.1:0'],
    (line) => {
      try {
        const e = JSON.parse(line) as { event?: string; url?: string };
        return e.event === 'listening' ? e.url : undefined;
      } catch {
        return undefined;
      }
    },
  );
  expect(endpoint.value).toMatch(/^https:\/\/127\.0\.0\.1:\d+/);
  const pkg = join(dir, 'onboarding.json');
  await admin('onboarding', 'create', '--out', pkg);
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440 }));
  const agentArgs = ['--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'agent')];
  const enrolled = await inNs(device, process.execPath, [dist('attache-agent.cjs'), ...agentArgs, 'enroll', '--package', pkg, '--json']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(enrolled.stdout).deviceId;
  const agent = spawn('ip', ['netns', 'exec', device, process.execPath, dist('attache-agent.cjs'), ...agentArgs, 'run'], { stdio: 'ignore' });
  children.push(agent);
  await waitFor('agent daemon up', async () => {
    const r = await inNs(device, process.execPath, [dist('attache-agent.cjs'), ...agentArgs, 'status', '--json']);
    return r.code === 0 && JSON.parse(r.stdout).daemonPid ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await pool.deleteAll();
  if (dir) await removeDir(dir);
});

describe('agent on a real Linux host (network namespace)', () => {
  let assignmentId: string;

  it('enforces an assigned linuxFirewall policy on real traffic and reports every setting', async () => {
    expect(await connect(8081)).toBe('connected');
    const policyFile = join(dir, 'fw.json');
    await writeFile(
      policyFile,
      JSON.stringify({
        name: 'Device firewall',
        kind: 'linuxFirewall',
        settings: {
          'linuxFirewall.defaultInboundAction': 'drop',
          'linuxFirewall.rules': [
            { name: 'web from client', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '8080', remoteAddresses: [`${CLIENT_ADDRESS}/32`] },
          ],
        },
      }),
    );
    const av = join(dir, 'av.json');
    await writeFile(av, JSON.stringify({ name: 'Linux AV', kind: 'antivirus', settings: { 'mdatp.antivirusEngine.enforcementLevel': 'real_time' } }));
    const fw = await admin('policy', 'create', '--file', policyFile);
    const avPolicy = await admin('policy', 'create', '--file', av);
    const group = await admin('group', 'create', 'linux servers');
    await admin('group', 'add-device', group.groupId, deviceId);
    assignmentId = (await admin('assign', fw.policyId, group.groupId)).assignmentId;
    await admin('assign', avPolicy.policyId, group.groupId);

    const s = await waitFor(
      'firewall policy reported',
      async () => {
        const st = await status();
        return st.policies.length === 2 && st.policies.every((p: { state: string }) => p.state !== 'pending') ? st : undefined;
      },
      30_000,
    );
    const byId = Object.fromEntries(s.settings.map((x: { settingId: string }) => [x.settingId, x]));
    expect(byId['linuxFirewall.defaultInboundAction']).toMatchObject({ state: 'succeeded', observed: 'drop' });
    expect(byId['linuxFirewall.rules']).toMatchObject({ state: 'succeeded' });
    expect(byId['mdatp.antivirusEngine.enforcementLevel']).toMatchObject({ state: 'notApplicable' });
    expect(byId['mdatp.antivirusEngine.enforcementLevel'].detail ?? JSON.stringify(byId['mdatp.antivirusEngine.enforcementLevel'])).toMatch(
      /mdatp.*not installed/,
    );

    expect(await connect(8080)).toBe('connected');
    expect(await connect(8081)).toBe('timeout');
    expect(await ruleset()).toContain('table inet filter');
  });

  it('restores the previous ruleset exactly when the policy is unassigned', async () => {
    await admin('unassign', assignmentId);
    await waitFor('ruleset restored', async () => ((await ruleset()) === rulesetBefore ? true : undefined), 30_000);
    expect(await connect(8081)).toBe('connected');
  });
});
