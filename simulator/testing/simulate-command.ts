// Test support: runs the `simulate` command (simulator/src/main.ts from source) as a child process and collects its
// exit code and output, for the simulator's integration tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { completion } from '../../test/harness.js';
import { REPO_ROOT } from '../src/endpoint/endpoint-process.js';

/** Runs `simulate <args>` to completion. */
export function simulate(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return completion(spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'simulator', 'src', 'main.ts'), ...args], { cwd: REPO_ROOT }));
}
