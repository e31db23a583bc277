// Test support: runs the `simulate` command (simulator/src/main.ts from source) as a child process and collects its
// exit code and output, for the simulator's integration tests.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { completion } from '../../test/harness.js';
import { REPO_ROOT } from '../src/endpoint/endpoint-process.js';
import type { RunResults } from '../src/run/results.js';

/** Runs `simulate <args>` to completion. */
export function simulate(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return completion(spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'simulator', 'src', 'main.ts'), ...args], { cwd: REPO_ROOT }));
}

/** Runs a scenario file into `outDir` and reads its results: the verdict's failed expectations listed one per line. */
export async function simulateScenario(
  scenarioFile: string,
  outDir: string,
): Promise<{ run: { code: number | null; stdout: string; stderr: string }; results: RunResults; failed: string[] }> {
  const run = await simulate(['--scenario', scenarioFile, '--out', outDir]);
  const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as RunResults;
  return { run, results, failed: results.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`) };
}
