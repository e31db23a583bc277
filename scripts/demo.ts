// The main job on the embedded default: starts the management endpoint (embedded SQLite, own CA) and one agent on a
// simulated Windows host as real processes, pushes an antivirus and a firewall policy, prints the per-setting result,
// then changes the policy and shows it arrive through the push channel. Everything lives in a temp dir.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentCommand, type Endpoint, type Proc, ROOT, removeDir, startAgent, startEndpoint, tempDir, waitFor } from '../test/harness.js';
import { buildAll } from './build.js';

const keep = process.argv.includes('--keep');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function policy(name: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(ROOT, 'examples', 'policies', name), 'utf8'));
}

async function run(): Promise<void> {
  await buildAll();
  const dir = await tempDir('demo');
  let endpoint: Endpoint | undefined;
  let agent: Proc | undefined;
  try {
    endpoint = await startEndpoint(join(dir, 'endpoint'));
    say(`management endpoint listening on ${endpoint.url} (data in ${endpoint.dataDir})`);
    const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: 1, expiresInMinutes: 30 });
    await writeFile(join(dir, 'onboarding.json'), JSON.stringify(pkg, null, 2), { mode: 0o600 });
    const agentArgs = ['--state-dir', join(dir, 'agent'), '--simulated', 'windows'];
    const enrolled = await agentCommand([...agentArgs, 'enroll', '--package', join(dir, 'onboarding.json'), '--json']);
    if (enrolled.code !== 0) throw new Error(`enroll failed: ${enrolled.stderr}`);
    const { deviceId } = JSON.parse(enrolled.stdout) as { deviceId: string };
    say(`agent enrolled as device ${deviceId} (simulated Windows host)`);
    agent = startAgent(agentArgs);
    const admin = endpoint.admin;
    await waitFor('agent push channel', async () => ((await admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? true : undefined));

    const group = await admin.ok('POST', '/v1/admin/groups', { name: 'Demo devices' });
    await admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
    const av = await admin.ok('POST', '/v1/admin/policies', await policy('windows-antivirus-baseline.json'));
    const fw = await admin.ok('POST', '/v1/admin/policies', await policy('windows-firewall.json'));
    const assignedAt = Date.now();
    await admin.ok('POST', '/v1/admin/assignments', { policyId: av.policyId, groupId: group.groupId });
    await admin.ok('POST', '/v1/admin/assignments', { policyId: fw.policyId, groupId: group.groupId });
    say(`assigned "${av.name}" and "${fw.name}" to group "${group.name}"`);
    const reported = (version: number) => async () => {
      const s = await admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
      return s.policies.length === 2 && s.policies.every((p: any) => p.state !== 'pending') && s.policies.some((p: any) => p.reportedVersion === version)
        ? s
        : undefined;
    };
    const first = await waitFor('both policies reported', reported(1), 30_000);
    say(`\nreported by the device ${Date.now() - assignedAt} ms after assignment; the endpoint's view:\n`);
    say(`${'POLICY'.padEnd(40)}VERSION  STATE`);
    for (const p of first.policies) say(`${p.name.padEnd(40)}${String(p.reportedVersion).padEnd(9)}${p.state}`);
    say(`\n${'SETTING'.padEnd(48)}${'STATE'.padEnd(15)}${'DESIRED'.padEnd(22)}OBSERVED`);
    for (const s of first.settings)
      say(`${s.settingId.padEnd(48)}${s.state.padEnd(15)}${JSON.stringify(s.desired ?? '').padEnd(22)}${JSON.stringify(s.observed ?? s.message ?? '')}`);

    const changed = await policy('windows-antivirus-baseline.json');
    changed.settings['defender.PUAProtection'] = 2;
    const pushedAt = Date.now();
    await admin.ok('PUT', `/v1/admin/policies/${av.policyId}`, changed);
    await waitFor('version 2 reported', reported(2), 30_000);
    say(`\npolicy change (PUAProtection block → audit) applied and reported ${Date.now() - pushedAt} ms after the admin saved it (push channel)`);
    const local = await agentCommand([...agentArgs, 'status']);
    say(`\nthe agent's own view (attache-agent status):\n${local.stdout}`);
  } finally {
    await agent?.stop();
    await endpoint?.stop();
    if (keep) say(`kept ${dir}`);
    else await removeDir(dir);
  }
  say(NEXT_STEPS);
}

// The next step after the demo: the same flow by hand, in scratch paths outside the sources (README "Try it by hand").
const NEXT_STEPS = `
next: try it by hand (README "Try it by hand"); the endpoint and the agent daemon keep running, each in its own terminal:
  npm run management -- serve --data-dir /tmp/attache-try/srv --listen 127.0.0.1:8443
  npm run admin -- --data-dir /tmp/attache-try/srv onboarding create --out /tmp/attache-try/onboarding.json`;

run().catch((err) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  process.exit(1);
});
