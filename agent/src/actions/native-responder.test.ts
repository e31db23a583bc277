// The native responder's OS commands at the boundary, per OS, recorded: disabling the agent's own service (offboard)
// with constant argv (the unit / label / service name the installers register), and scan / collect refusing
// ACTION_UNSUPPORTED until package C's modules are wired in.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import type { Platform } from '../../../policy-schemas/src/index.js';
import { ScriptedCommandRunner } from '../system/command-runner.js';
import { MemoryFileStore } from '../system/file-store.js';
import { AGENT_SERVICE, createNativeResponder } from './native-responder.js';
import { FileHasher } from './processes/file-hasher.js';

function responder(platform: Platform, codes: Record<string, number> = {}) {
  const runner = new ScriptedCommandRunner((spec) => ({ code: codes[[spec.file, ...spec.args].join(' ')] ?? 0 }));
  const host = createNativeResponder(
    { platform, stateDir: '/state', logDir: '/logs', agentVersion: '1.0.0', deviceFacts: () => ({}) },
    {
      runner,
      files: new MemoryFileStore(),
      clock: systemClock,
      newId: () => 'id',
      hasher: new FileHasher({ maxBytes: 1024 }),
      ownPid: 1234,
      kill: () => undefined,
    },
  );
  return { host, lines: () => runner.calls.map((c) => [c.file, ...c.args].join(' ')) };
}

describe('native responder: disableService', () => {
  it('systemd: disable --now of the installed unit', async () => {
    const t = responder('linux');
    await t.host.disableService();
    expect(t.lines()).toEqual(['systemctl disable --now attache-agent.service']);
  });

  it('launchd: disabled first, then booted out (not loaded is fine)', async () => {
    const t = responder('macos', { '/bin/launchctl bootout system/com.attache.agent': 113 });
    await t.host.disableService();
    expect(t.lines()).toEqual(['/bin/launchctl disable system/com.attache.agent', '/bin/launchctl bootout system/com.attache.agent']);
  });

  it('Windows: start type disabled, then stopped (already stopped is fine)', async () => {
    const t = responder('windows', { 'sc.exe stop AttacheAgent': 1062 });
    await t.host.disableService();
    expect(t.lines()).toEqual(['sc.exe config AttacheAgent start= disabled', 'sc.exe stop AttacheAgent']);
  });

  it('a failing step throws with the tool message and runs nothing after it', async () => {
    const t = responder('windows', { 'sc.exe config AttacheAgent start= disabled': 5 });
    await expect(t.host.disableService()).rejects.toThrow(/sc\.exe config AttacheAgent/);
    expect(t.lines()).toEqual(['sc.exe config AttacheAgent start= disabled']);
  });

  it('names the service each installer registers', () => {
    expect(AGENT_SERVICE).toEqual({ linux: 'attache-agent.service', macos: 'com.attache.agent', windows: 'AttacheAgent' });
  });
});

describe('native responder: scan', () => {
  it('is the OS scanner: mdatp on Linux (SCAN_UNAVAILABLE naming its path when it is not installed)', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: -1, spawnError: 'ENOENT: no such file' }));
    const host = createNativeResponder(
      { platform: 'linux', stateDir: '/state', logDir: '/logs', agentVersion: '1.0.0', deviceFacts: () => ({}) },
      {
        runner,
        files: new MemoryFileStore(),
        clock: systemClock,
        newId: () => 'id',
        hasher: new FileHasher({ maxBytes: 0 }),
        ownPid: 1,
        kill: () => undefined,
      },
    );
    await expect(host.scan('quick', new AbortController().signal, () => undefined)).rejects.toMatchObject({
      code: 'SCAN_UNAVAILABLE',
      message: expect.stringContaining('mdatp'),
    });
    expect(runner.calls[0]).toMatchObject({ file: '/usr/bin/mdatp', args: ['scan', 'quick'] });
  });
});
