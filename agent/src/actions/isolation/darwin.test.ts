// macOS isolation at the pfctl boundary (this machine has no macOS): the golden anchor text, the exact argv of isolate,
// state and release (anchor com.apple/100.AttacheIsolation only, rules on stdin), the isolation's own pf enable token.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { PFCTL } from '../../providers/macos/pf-enable.js';
import { type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { createPfIsolationBackend } from './darwin.js';
import { ISOLATION_ANCHOR, renderPfIsolation } from './darwin-render.js';
import { IsolationController } from './responder.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const ENDPOINTS = [
  { url: 'https://mgmt.example/', host: 'mgmt.example', port: 443, addresses: ['192.0.2.10', '2001:db8::10'] },
  { url: 'https://10.251.0.2:8443/', host: '10.251.0.2', port: 8443, addresses: ['10.251.0.2'] },
];

/** pfctl as far as the isolation uses it: pf state, one anchor, enable references. */
function fakePfctl() {
  const pf = { enabled: false, rules: undefined as string | undefined, tokens: new Set<string>() };
  const runner = new ScriptedCommandRunner((spec: CommandSpec) => {
    const a = spec.args.join(' ');
    if (a === '-s info') return { stdout: `Status: ${pf.enabled ? 'Enabled' : 'Disabled'} for 0 days\n` };
    if (a === '-E') {
      pf.enabled = true;
      pf.tokens.add('4242');
      return { stderr: 'pf enabled\nToken : 4242\n' };
    }
    if (a === '-X 4242') {
      pf.tokens.delete('4242');
      pf.enabled = pf.tokens.size > 0;
      return {};
    }
    if (a === `-a ${ISOLATION_ANCHOR} -o none -f -`) {
      pf.rules = spec.stdin;
      return {};
    }
    if (a === `-a ${ISOLATION_ANCHOR} -F rules`) {
      pf.rules = undefined;
      return {};
    }
    if (a === `-a ${ISOLATION_ANCHOR} -s rules`)
      return pf.rules
        ? { stdout: 'pass quick on lo0 all flags S/SA keep state\nblock drop quick all\n' }
        : { code: 1, stderr: 'pfctl: DIOCGETRULES: Invalid argument\n' };
    return { code: 1, stderr: `unexpected ${a}` };
  });
  return { pf, runner };
}

describe('macOS isolation (pf anchor)', () => {
  it('renders the golden anchor: loopback, one quick pass per endpoint address and port, neighbour discovery, block all last', () => {
    expect(renderPfIsolation(ENDPOINTS)).toBe(golden('darwin-isolation.pf'));
  });

  it('refuses what is not an address, and an empty endpoint list', () => {
    expect(() => renderPfIsolation([{ ...ENDPOINTS[1], addresses: ['10.0.0.1 port 22 pass all'] } as (typeof ENDPOINTS)[0]])).toThrow(/not an IP address/);
    expect(() => renderPfIsolation([])).toThrow(/at least one/);
  });

  it('isolate, state and release run exactly these pfctl commands, and keep the token in the state dir', async () => {
    const { pf, runner } = fakePfctl();
    const files = new MemoryFileStore();
    const backend = createPfIsolationBackend({ stateDir: '/var/db/attache' }, { runner, files });
    const controller = new IsolationController(
      { stateDir: '/var/db/attache' },
      { backend, files, resolve: async () => ['192.0.2.10', '2001:db8::10'], clock: new ManualClock(0) },
    );
    await expect(controller.isolate({ mode: 'selective', endpointUrls: ['https://mgmt.example/'] })).rejects.toMatchObject({ code: 'ACTION_UNSUPPORTED' });
    expect(runner.calls).toEqual([]);
    expect(await controller.isolate({ mode: 'full', endpointUrls: ['https://mgmt.example/', 'https://10.251.0.2:8443/'] })).toMatchObject({
      isolated: true,
      enforced: true,
    });
    expect(pf.rules).toBe(golden('darwin-isolation.pf'));
    expect(files.files.get('/var/db/attache/pf-isolation-token')).toEqual({ data: '4242\n', mode: 0o600 });
    expect(await controller.release()).toEqual({ isolated: false, endpoints: [], enforced: false });
    expect(pf).toMatchObject({ enabled: false, rules: undefined });
    expect(files.files.has('/var/db/attache/pf-isolation-token')).toBe(false);
    expect(runner.calls.every((c) => c.file === PFCTL)).toBe(true);
    expect(runner.calls.map((c) => c.args.join(' '))).toEqual([
      `-a ${ISOLATION_ANCHOR} -o none -f -`,
      '-E',
      '-s info',
      `-a ${ISOLATION_ANCHOR} -s rules`,
      `-a ${ISOLATION_ANCHOR} -F rules`,
      '-X 4242',
      '-s info',
    ]);
  });
});
