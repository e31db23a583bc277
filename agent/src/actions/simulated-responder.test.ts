// The simulated device's response actions: isolation kept in its persisted state (and isolation.json) across a new
// agent, scans that report its injected detections, a real .tar.gz package, quarantine of its files and processes,
// and the injected failures (an error code, a hang) per action type.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { MemoryFileStore } from '../system/file-store.js';
import type { ResponseHost } from './response-host.js';
import { createSimulatedResponder } from './simulated-responder.js';

const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const URLS = ['https://mgmt.example.test:8443/', 'https://10.1.2.3/'];
const DEVICE = '0b7c3c1e-5f1d-4b7a-9a53-2d6f7c1e8a90';

let dir: string;
let clock: ManualClock;
let files: MemoryFileStore;
let ids: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-sim-responder-'));
  clock = new ManualClock(Date.parse('2026-12-05T10:00:00Z'));
  files = new MemoryFileStore();
  ids = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function device(): SimulatedHost {
  return new SimulatedHost({ platform: 'linux', hostname: 'sim-linux-1', stateFile: join(dir, 'host.json') });
}

function responder(host: SimulatedHost, scanMs = { quick: 4_000, full: 40_000 }): ResponseHost {
  const newId = () => `q-${++ids}`;
  return createSimulatedResponder({ stateDir: '/state', packageDir: dir, scanMs }, { host, files, clock, newId });
}

/** The names and contents of a ustar archive's regular files. */
function untar(archive: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString('ascii').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    out.set(name, archive.subarray(at + 512, at + 512 + size).toString('utf8'));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('simulated isolation', () => {
  it('isolates in the persisted host state, survives a new agent, is re-applied when the rules vanish, and releases', async () => {
    const host = device();
    const state = await responder(host).isolation.isolate({ mode: 'full', endpointUrls: URLS });
    expect(state).toMatchObject({ isolated: true, mode: 'full', enforced: true });
    const addresses = state.endpoints.map((e) => [e.host, e.port, e.addresses[0]]);
    expect(addresses[0]).toEqual(['mgmt.example.test', 8443, expect.stringMatching(/^203\.0\.113\.\d+$/)]);
    expect(addresses[1]).toEqual(['10.1.2.3', 443, '10.1.2.3']);
    expect(JSON.parse(await readFile(join(dir, 'host.json'), 'utf8')).response.isolation.endpoints).toHaveLength(2);

    // A new agent process on the same device (same state file and state dir) sees the isolation.
    const again = device();
    const second = responder(again);
    expect(await second.isolation.state()).toMatchObject({ isolated: true, enforced: true });
    // Someone removes the rules behind the agent: reapply puts them back from isolation.json.
    again.setResponse({ isolation: undefined });
    await again.persist();
    expect(await second.isolation.state()).toMatchObject({ isolated: true, enforced: false });
    expect(await second.isolation.reapply()).toMatchObject({ isolated: true, enforced: true });

    expect(await second.isolation.release()).toMatchObject({ isolated: false, enforced: false, endpoints: [] });
    expect(JSON.parse(await readFile(join(dir, 'host.json'), 'utf8')).response).toBeUndefined();
    expect(await files.read('/state/isolation.json')).toBeUndefined();
  });

  it('refuses selective isolation as unsupported and touches nothing', async () => {
    const host = device();
    await expect(responder(host).isolation.isolate({ mode: 'selective', endpointUrls: URLS })).rejects.toMatchObject({ code: 'ACTION_UNSUPPORTED' });
    expect(host.response.isolation).toBeUndefined();
  });

  it('fails with an unresolvable endpoint when injected, leaving the device reachable, and counts the hit', async () => {
    const host = device();
    const hits: string[] = [];
    host.faults.onActionFailed = (type) => hits.push(type);
    host.faults.failActions.set('isolate', { code: 'ISOLATION_ENDPOINT_UNRESOLVED' });
    const r = responder(host);
    await expect(r.isolation.isolate({ mode: 'full', endpointUrls: URLS })).rejects.toMatchObject({ code: 'ISOLATION_ENDPOINT_UNRESOLVED' });
    expect(await r.isolation.state()).toMatchObject({ isolated: false, enforced: false });
    expect(hits).toEqual(['isolate']);
    // release is another type: not failed by the isolate fault.
    await expect(r.isolation.release()).resolves.toMatchObject({ isolated: false });
  });
});

describe('simulated antivirus scan', () => {
  it('takes the configured time, reports progress and the injected detections', async () => {
    const host = device();
    host.setRiskSignals({ detections: [{ threatId: 't1', name: 'Trojan:Sim/A', severity: 'high', path: '/tmp/a' }] });
    await host.persist();
    const progress: number[] = [];
    const scan = responder(host).scan('quick', new AbortController().signal, (p) => progress.push(p));
    let done = false;
    void scan.then(() => {
      done = true;
    });
    await clock.advance(0); // the scan arms its first timer
    await clock.advance(3_000);
    expect(done).toBe(false);
    await clock.advance(1_000);
    expect(await scan).toEqual({
      scanType: 'quick',
      engine: 'simulated',
      durationMs: 4_000,
      threatsFound: 1,
      threats: [{ name: 'Trojan:Sim/A', path: '/tmp/a', status: 'active' }],
    });
    expect(progress).toEqual([25, 50, 75]);
  });

  it('stops when cancelled, and a hung scan ends only by its cancellation', async () => {
    const host = device();
    const abort = new AbortController();
    const scan = responder(host).scan('full', abort.signal, () => undefined);
    await clock.advance(10_000);
    abort.abort(new Error('cancelled by the admin'));
    await expect(scan).rejects.toThrow('cancelled by the admin');

    host.faults.failActions.set('runAntivirusScan', { hang: true });
    const hung = new AbortController();
    let settled = false;
    const never = responder(host).scan('quick', hung.signal, () => undefined);
    never.catch(() => undefined).finally(() => (settled = true));
    await clock.advance(3_600_000);
    expect(settled).toBe(false);
    hung.abort(new Error('cancelled'));
    await expect(never).rejects.toThrow('cancelled');
  });

  it('fails with the injected code, or the type default', async () => {
    const host = device();
    host.faults.failActions.set('runAntivirusScan', {});
    await expect(responder(host).scan('quick', new AbortController().signal, () => undefined)).rejects.toMatchObject({ code: 'SCAN_FAILED' });
    host.faults.failActions.set('runAntivirusScan', { code: 'SCAN_UNAVAILABLE', message: 'no antivirus' });
    await expect(responder(host).scan('quick', new AbortController().signal, () => undefined)).rejects.toMatchObject({
      code: 'SCAN_UNAVAILABLE',
      message: 'no antivirus',
    });
  });
});

describe('simulated investigation package', () => {
  it('writes a real .tar.gz of the device state with its manifest, hash and size', async () => {
    const host = device();
    host.setRiskSignals({ processes: [{ pid: 7, name: 'sshd', path: '/usr/sbin/sshd' }] });
    const pkg = await responder(host).collect({ maxBytes: 1024 * 1024, deviceId: DEVICE }, new AbortController().signal, () => undefined);
    const bytes = await readFile(pkg.path);
    expect(pkg.path.startsWith(dir)).toBe(true);
    expect(pkg.sizeBytes).toBe(bytes.length);
    expect(pkg.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const entries = untar(gunzipSync(bytes));
    expect([...entries.keys()][0]).toBe('manifest.json');
    expect(pkg).toMatchObject({ entries: entries.size, truncated: false });
    const manifest = JSON.parse(entries.get('manifest.json') ?? '{}');
    expect(manifest).toMatchObject({ formatVersion: 1, deviceId: DEVICE, device: 'sim-linux-1', engine: 'simulated' });
    expect(manifest.entries.map((e: { name: string }) => e.name)).toEqual([...entries.keys()].slice(1));
    expect(JSON.parse(entries.get('system/processes.json') ?? '[]')).toEqual([{ pid: 7, name: 'sshd', path: '/usr/sbin/sshd' }]);
  });

  it('leaves the largest sections out to stay under maxBytes and says so; refuses a cap even the manifest exceeds', async () => {
    const host = device();
    const processes = Array.from({ length: 3000 }, (_, i) => ({
      pid: i + 1,
      name: `p${i}`,
      path: `/opt/app/${createHash('sha256').update(`${i}`).digest('hex')}`,
    }));
    host.setRiskSignals({ processes });
    const pkg = await responder(host).collect({ maxBytes: 8 * 1024, deviceId: DEVICE }, new AbortController().signal, () => undefined);
    expect(pkg.sizeBytes).toBeLessThanOrEqual(8 * 1024);
    const entries = untar(gunzipSync(await readFile(pkg.path)));
    expect(pkg.truncated).toBe(true);
    expect(entries.has('system/processes.json')).toBe(false);
    expect(JSON.parse(entries.get('manifest.json') ?? '{}').omitted).toContain('system/processes.json');
    await expect(responder(host).collect({ maxBytes: 100, deviceId: DEVICE }, new AbortController().signal, () => undefined)).rejects.toMatchObject({
      code: 'PACKAGE_TOO_LARGE',
    });
  });
});

describe('simulated stop and quarantine', () => {
  it('kills the processes running the file, quarantines it, restores it, and never replaces a file', async () => {
    const host = device();
    host.setRiskSignals({
      processes: [
        { pid: 10, name: 'evil', path: '/opt/evil', sha256: SHA },
        { pid: 11, name: 'evil', path: '/opt/evil', sha256: SHA },
        { pid: 12, name: 'good', path: '/opt/good', sha256: OTHER },
      ],
    });
    host.setResponse({ files: [{ path: '/opt/evil', sha256: SHA, sizeBytes: 1234 }] });
    const r = responder(host);
    const result = await r.stopAndQuarantine({ sha256: SHA });
    expect(result).toEqual({
      sha256: SHA,
      killed: [
        { pid: 10, name: 'evil' },
        { pid: 11, name: 'evil' },
      ],
      items: [{ quarantineId: 'q-1', originalPath: '/opt/evil', sizeBytes: 1234, sha256: SHA }],
    });
    const after = device();
    await after.refresh();
    expect(after.riskSignals.processes.map((p) => p.pid)).toEqual([12]);
    expect(after.response.files ?? []).toEqual([]);
    await expect(r.stopAndQuarantine({ sha256: SHA })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });

    // Someone puts another file at the path: restore refuses to replace it.
    host.setResponse({ files: [{ path: '/opt/evil', sha256: OTHER, sizeBytes: 1 }] });
    await host.persist();
    await expect(r.restore('q-1')).rejects.toMatchObject({ code: 'QUARANTINE_RESTORE_FAILED' });
    host.setResponse({ files: [] });
    await host.persist();
    expect(await r.restore('q-1')).toEqual({ quarantineId: 'q-1', restoredPath: '/opt/evil' });
    await host.refresh();
    expect(host.response.files).toEqual([{ path: '/opt/evil', sha256: SHA, sizeBytes: 1234 }]);
    await expect(r.restore('q-1')).rejects.toMatchObject({ code: 'QUARANTINE_NOT_FOUND' });
  });

  it('finds what an action quarantined (recovery after a kill), by action id and hash', async () => {
    const host = device();
    host.setResponse({ files: [{ path: '/opt/x', sha256: SHA, sizeBytes: 5 }] });
    const r = createSimulatedResponder({ stateDir: '/state', packageDir: dir }, { host, files, clock, newId: () => 'q-9' });
    await r.stopAndQuarantine({ sha256: SHA, path: '/opt/x', actionId: 'action-1' });
    expect(await r.quarantinedBy('action-1', SHA)).toEqual([{ quarantineId: 'q-9', originalPath: '/opt/x', sizeBytes: 5, sha256: SHA }]);
    expect(await r.quarantinedBy('action-2', SHA)).toEqual([]);
    expect(await r.quarantinedBy('action-1', OTHER)).toEqual([]);
  });

  it('with a path: quarantines the file there even with no process, FILE_NOT_FOUND for another hash', async () => {
    const host = device();
    host.setResponse({ files: [{ path: '/home/u/dropper', sha256: SHA, sizeBytes: 9 }] });
    const r = responder(host);
    await expect(r.stopAndQuarantine({ sha256: OTHER, path: '/home/u/dropper' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await r.stopAndQuarantine({ sha256: SHA, path: '/home/u/dropper' })).toMatchObject({ killed: [], items: [{ originalPath: '/home/u/dropper' }] });
  });
});

describe('simulated service disable (offboard)', () => {
  it('persists the flag, or fails OFFBOARD_FAILED when injected', async () => {
    const host = device();
    host.faults.failActions.set('offboard', {});
    await expect(responder(host).disableService()).rejects.toMatchObject({ code: 'OFFBOARD_FAILED' });
    expect(host.response.serviceDisabled).toBeUndefined();
    host.faults.failActions.delete('offboard');
    await responder(host).disableService();
    expect(JSON.parse(await readFile(join(dir, 'host.json'), 'utf8')).response).toEqual({ serviceDisabled: true });
  });
});
