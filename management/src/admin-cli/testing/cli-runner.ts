// Runs `attache-admin` in process against an endpoint's data dir, capturing its output: shared by the CLI's tests.
import { runAdminCli } from '../cli.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `cli(...)` returns exit code and output; `json(...)` adds `--json`, fails on a non-zero exit and parses stdout. */
export function adminCliRunner(dataDir: () => string) {
  async function cli(...args: string[]): Promise<CliResult> {
    let out = '';
    let err = '';
    const code = await runAdminCli(['--data-dir', dataDir(), ...args], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  }
  async function json<T>(...args: string[]): Promise<T> {
    const res = await cli('--json', ...args);
    if (res.code !== 0) throw new Error(`attache-admin ${args.join(' ')} failed: ${res.err}`);
    return JSON.parse(res.out) as T;
  }
  return { cli, json };
}
