// One responder per platform: the right backend for each, and every one refuses selective before running a tool.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { PfIsolationBackend } from './darwin.js';
import { createIsolationResponder, isolationBackend } from './index.js';
import { NftablesIsolationBackend } from './linux.js';
import { WindowsFirewallIsolationBackend } from './windows.js';

describe('createIsolationResponder', () => {
  it.each([
    ['linux', NftablesIsolationBackend],
    ['macos', PfIsolationBackend],
    ['windows', WindowsFirewallIsolationBackend],
  ] as const)('%s gets its own backend and refuses selective without running a tool', async (platform, kind) => {
    const runner = new ScriptedCommandRunner(() => ({ code: 1, stderr: 'must not run' }));
    const deps = { runner, files: new MemoryFileStore(), clock: new ManualClock(0), resolve: async () => ['192.0.2.1'] };
    expect(isolationBackend(platform, '/state', deps)).toBeInstanceOf(kind);
    const responder = createIsolationResponder({ platform, stateDir: '/state' }, deps);
    await expect(responder.isolate({ mode: 'selective', endpointUrls: ['https://mgmt.example/'] })).rejects.toMatchObject({ code: 'ACTION_UNSUPPORTED' });
    expect(runner.calls).toEqual([]);
  });
});
