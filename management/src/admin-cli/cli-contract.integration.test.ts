// The admin CLI's contract against a real endpoint: one exit code per error class (common/exit-codes.ts), each error
// printed once (`error CODE: …`, or the ErrorResponse envelope on stderr under --json), the environment profile, shell
// completion scripts that parse and complete, and the offline `policy validate`.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ErrorResponse } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { runAdminCli } from './cli.js';
import type { CliResult } from './testing/cli-runner.js';

let t: TestEndpoint;
let profile: { url: string; tokenFile: string; caFile: string };

beforeAll(async () => {
  t = await startTestEndpoint();
  const adminJson = JSON.parse(await readFile(join(t.dir, 'admin.json'), 'utf8')) as { url: string; tokenFile: string; caFile: string };
  profile = { url: adminJson.url, tokenFile: resolve(t.dir, adminJson.tokenFile), caFile: resolve(t.dir, adminJson.caFile) };
});

afterAll(async () => {
  await t.close();
});

/** Runs the CLI with only `env` as its environment (no --data-dir). */
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runAdminCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, env);
  return { code, out, err };
}

const profileEnv = () => ({ ATTACHE_ADMIN_URL: profile.url, ATTACHE_ADMIN_TOKEN_FILE: profile.tokenFile, ATTACHE_CA_FILE: profile.caFile });

describe('exit codes and errors', () => {
  it('gives each error class its code, prints it once, and under --json prints only the envelope on stderr', async () => {
    const badPolicy = join(t.dir, 'typo.json');
    await writeFile(badPolicy, JSON.stringify({ name: 'x', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitorin': 1 } }));
    const wrongToken = join(t.dir, 'wrong.token');
    await writeFile(wrongToken, 'att_adm_wrong');
    const cases: [string, string[], NodeJS.ProcessEnv, number, string][] = [
      ['usage', ['--bogus'], {}, 64, 'USAGE_INVALID'],
      ['missing argument', ['group', 'create'], {}, 64, 'USAGE_INVALID'],
      ['invalid input', ['policy', 'validate', badPolicy], {}, 65, 'POLICY_INVALID'],
      ['not found', ['device', 'show', '00000000-0000-4000-8000-000000000000'], profileEnv(), 1, 'NOT_FOUND'],
      ['unreachable', ['device', 'list'], { ...profileEnv(), ATTACHE_ADMIN_URL: 'https://127.0.0.1:1' }, 69, 'ENDPOINT_UNREACHABLE'],
      ['not authenticated', ['device', 'list'], { ...profileEnv(), ATTACHE_ADMIN_TOKEN_FILE: wrongToken }, 77, 'ADMIN_UNAUTHORIZED'],
      ['not configured', ['device', 'list'], {}, 78, 'CONFIG_INVALID'],
    ];
    for (const [what, args, env, code, errorCode] of cases) {
      const human = await run(args, env);
      expect([what, human.code, human.out], human.err).toEqual([what, code, '']);
      // Once: commander's own line for usage errors, ours otherwise.
      const lines = human.err.split('\n').filter((l) => /^error/.test(l));
      expect([what, lines.length, lines[0]?.startsWith(code === 64 ? 'error: ' : `error ${errorCode}: `)]).toEqual([what, 1, true]);

      const machine = await run(['--json', ...args], env);
      expect([what, machine.code, machine.out]).toEqual([what, code, '']);
      expect(machine.err.trimEnd().split('\n'), what).toHaveLength(1);
      expect(validate(ErrorResponse, JSON.parse(machine.err), what).error.code, what).toBe(errorCode);
    }
  });

  it('names the missing setting of the profile when nothing says where the endpoint is', async () => {
    expect((await run(['device', 'list'])).err).toContain('pass --data-dir <dir> (of a running endpoint) or --url, or set ATTACHE_ADMIN_URL');
  });
});

describe('environment profile', () => {
  it('reaches the endpoint through ATTACHE_ADMIN_URL, ATTACHE_ADMIN_TOKEN_FILE and ATTACHE_CA_FILE; a flag overrides its variable', async () => {
    expect((await run(['--json', 'group', 'list'], profileEnv())).code).toBe(0);
    const overridden = await run(['--url', 'https://127.0.0.1:1', 'group', 'list'], profileEnv());
    expect([overridden.code, overridden.err]).toEqual([69, expect.stringContaining('https://127.0.0.1:1')]);
    const fixed = await run(['--token-file', profile.tokenFile, 'group', 'list'], { ...profileEnv(), ATTACHE_ADMIN_TOKEN_FILE: '/nonexistent' });
    expect(fixed.code).toBe(0);
  });
});

describe('shell completion', () => {
  const sh = promisify(execFile);

  it('prints a bash script that parses and completes commands, subcommands and options from the command tree', async () => {
    const script = join(t.dir, 'completion.bash');
    const res = await run(['completion', 'bash']);
    expect(res.code).toBe(0);
    await writeFile(script, res.out);
    await sh('bash', ['-n', script]);
    const complete = async (...words: string[]) => {
      const line = `source ${script}; COMP_WORDS=(attache-admin ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _attache_admin attache-admin '${words.at(-1)}' '${words.at(-2) ?? 'attache-admin'}'; echo "\${COMPREPLY[*]}"`;
      return (await sh('bash', ['-c', line])).stdout.trim().split(' ');
    };
    expect(await complete('gro')).toEqual(['group']);
    expect(await complete('group', '')).toEqual(expect.arrayContaining(['delete', 'remove-device', 'set-rule', '--help']));
    expect(await complete('--data-dir', '/tmp', 'onboarding', 'create', '--t')).toEqual(['--tag']);
    expect(await complete('completion', '')).toEqual(['--help']);
  });

  it('prints zsh (bashcompinit) and fish scripts with every top-level command; refuses another shell with exit 64', async () => {
    const zsh = (await run(['completion', 'zsh'])).out;
    expect(zsh.split('\n')[0]).toBe('#compdef attache-admin');
    const fish = (await run(['completion', 'fish'])).out;
    for (const command of ['onboarding', 'policy', 'group', 'assignment', 'device', 'completion']) {
      expect(fish).toContain(`complete -c attache-admin -n '__fish_use_subcommand' -a ${command} `);
      expect(zsh).toContain(command);
    }
    expect(fish).toContain("-n '__fish_seen_subcommand_from group; and not __fish_seen_subcommand_from");
    const other = await run(['completion', 'tcsh']);
    expect([other.code, other.err]).toEqual([64, expect.stringContaining('choose one of bash, zsh, fish')]);
  });
});

describe('policy validate (offline)', () => {
  it('accepts a valid file without an endpoint and explains unknown settings as the endpoint does', async () => {
    const good = join(t.dir, 'good.json');
    await writeFile(good, JSON.stringify({ name: 'ok', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } }));
    expect(await run(['policy', 'validate', good])).toEqual({ code: 0, out: `${good}: valid antivirus policy, 1 settings\n`, err: '' });

    const wrongKind = join(t.dir, 'wrong-kind.json');
    await writeFile(wrongKind, JSON.stringify({ name: 'x', kind: 'antivirus', settings: { 'edr.SampleSharing': 1, 'defender.allowrealtimemonitoring': 1 } }));
    const res = await run(['policy', 'validate', wrongKind]);
    expect(res.code).toBe(65);
    expect(res.err).toContain('unknown antivirus setting "edr.SampleSharing": this setting belongs to kind edr');
    expect(res.err).toContain('unknown antivirus setting "defender.allowrealtimemonitoring": did you mean "defender.AllowRealtimeMonitoring"?');
    // The endpoint answers the same words.
    const served = await t.admin.call('POST', '/policies', JSON.parse(await readFile(wrongKind, 'utf8')));
    expect(JSON.stringify(served.body)).toContain('this setting belongs to kind edr');
  });
});
