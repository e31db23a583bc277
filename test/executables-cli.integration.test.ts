// Every executable from source, as a real process: `--version` prints the build version and exits 0, an unknown option
// exits 64 (usage) with commander's one message, and --help ends with the shared exit-code table (common/exit-codes.ts).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTACHE_VERSION } from '../common/version.js';
import { ROOT } from './harness.js';

const EXECUTABLES = {
  'attache-agent': 'agent/src/main.ts',
  'attache-admin': 'management/src/admin-cli/main.ts',
  'attache-management': 'management/src/main.ts',
  'attache-simulate': 'simulator/src/main.ts',
} as const;

function run(entry: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, entry), ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? -1) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}

// The simulator checks its required --scenario before unknown options.
const BOGUS: Record<string, string[]> = { 'attache-simulate': ['--scenario', 'none.json', '--no-such-option'] };

describe.each(Object.entries(EXECUTABLES))('%s', (name, entry) => {
  it('prints its version, refuses an unknown option with 64, and documents the exit codes in --help', { timeout: 90_000 }, async () => {
    const [version, bogus, help] = await Promise.all([run(entry, ['--version']), run(entry, BOGUS[name] ?? ['--no-such-option']), run(entry, ['--help'])]);
    expect(version).toEqual({ code: 0, stdout: `${ATTACHE_VERSION}\n`, stderr: '' });
    expect(bogus.code).toBe(64);
    expect(bogus.stderr.match(/^error: unknown option '--no-such-option'$/gm)).toHaveLength(1);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes \(docs\/errors\.md\):\n {2}0 {3}success\n/);
    expect(help.stdout).toContain('77  not authenticated or not permitted');
  });
});
