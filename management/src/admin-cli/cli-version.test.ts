import { describe, expect, it } from 'vitest';
import { ATTACHE_VERSION } from '../../../common/version.js';
import { runAdminCli } from './cli.js';

describe('attache-admin --version', () => {
  it('prints the build version and exits 0 without contacting an endpoint', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdminCli(['--version'], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect({ code, out: out.join(''), err: err.join('') }).toEqual({ code: 0, out: `${ATTACHE_VERSION}\n`, err: '' });
  });
});
