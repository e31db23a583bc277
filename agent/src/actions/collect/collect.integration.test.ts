// A real investigation package on this Linux machine: the real commands (ss, nft, journalctl; mdatp is usually not
// installed, which must become an entry with an error), the real process table, extracted by the system tar.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../../common/clock.js';
import { NodeCommandRunner } from '../../system/command-runner.js';
import { FileHasher } from '../processes/file-hasher.js';
import { listProcesses } from '../processes/process-table.js';
import { collectInvestigationPackage, type PackageManifest } from './index.js';

describe.runIf(process.platform === 'linux')('investigation package on Linux', () => {
  it('collects, and the system tar extracts every entry with the manifest hash and no key material', async () => {
    const root = await mkdtemp(join(tmpdir(), 'collect-real-'));
    try {
      const stateDir = join(root, 'state');
      const logDir = join(root, 'logs');
      await mkdir(stateDir, { mode: 0o700 });
      await mkdir(logDir);
      await writeFile(join(stateDir, 'device-key.pem'), '-----BEGIN PRIVATE KEY-----\nREAL-LOOKING-KEY\n-----END PRIVATE KEY-----\n');
      await writeFile(join(stateDir, 'status.json'), '{"result":"applied"}\n');
      await writeFile(join(logDir, 'agent.log'), '{"msg":"policy applied"}\n');
      const options = { stateDir, logDir, platform: 'linux' as const, maxBytes: 4 * 1024 * 1024, deviceId: 'dev-real', agentVersion: '0.0.0-test' };
      const sources = {
        processes: () => listProcesses({ platform: 'linux', hasher: new FileHasher({ maxBytes: 0 }) }, {}),
        deviceFacts: () => ({ hostname: 'test' }),
      };
      const progress: number[] = [];
      const pkg = await collectInvestigationPackage(
        options,
        { runner: new NodeCommandRunner(), clock: systemClock, sources },
        new AbortController().signal,
        (p) => progress.push(p),
      );
      expect(pkg.sizeBytes).toBeLessThanOrEqual(options.maxBytes);
      expect(progress.at(-1)).toBe(100);
      const out = join(root, 'x');
      await mkdir(out);
      execFileSync('tar', ['-xzf', pkg.path, '-C', out]);
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as PackageManifest;
      const byName = new Map(manifest.entries.map((e) => [e.name, e]));
      for (const e of manifest.entries.filter((x) => !x.error)) {
        const data = await readFile(join(out, e.name));
        expect(createHash('sha256').update(data).digest('hex'), e.name).toBe(e.sha256);
      }
      const processes = JSON.parse(await readFile(join(out, 'processes/processes.json'), 'utf8')) as { pid: number }[];
      expect(processes.some((p) => p.pid === process.pid)).toBe(true);
      // Each OS source is there, as data or as a named failure.
      for (const name of ['network/ss-tunap.txt', 'firewall/nft-ruleset.txt', 'antivirus/mdatp-health.json', 'system/journal.txt'])
        expect(byName.has(name), name).toBe(true);
      expect(byName.get('agent/status.json')?.error).toBeUndefined();
      for (const e of await readdir(out, { withFileTypes: true, recursive: true }))
        if (e.isFile()) expect(await readFile(join(e.parentPath, e.name), 'utf8'), e.name).not.toContain('REAL-LOOKING-KEY');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
