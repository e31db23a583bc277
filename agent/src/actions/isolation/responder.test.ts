// The isolation controller's ordering over a recording backend: bad plans and unresolvable endpoints touch nothing,
// the intent is written before the OS is touched, a failed apply is rolled back, release restores what was saved,
// a refresh keeps the last addresses of a host that no longer resolves, and operations never interleave.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { MemoryFileStore } from '../../system/file-store.js';
import type { HostResolver } from './endpoints.js';
import type { IsolationBackend, IsolationEndpoint, IsolationMode, SavedOsState } from './isolation.js';
import { IsolationController } from './responder.js';

const STATE = '/var/lib/attache';
const FILE = `${STATE}/isolation.json`;

/** An OS in memory: whether rules are loaded, for which addresses, and every call in order. */
class RecordingBackend implements IsolationBackend {
  readonly calls: string[] = [];
  loaded: readonly IsolationEndpoint[] | undefined;
  profiles: SavedOsState = { 'Public.DefaultInboundAction': 'NotConfigured' };
  failApply = 0;
  readonly unsavedDefaults: SavedOsState = { 'Public.DefaultOutboundAction': 'Allow' };
  constructor(private readonly files: MemoryFileStore) {}
  unsupportedMode(mode: IsolationMode): string | undefined {
    return mode === 'full' ? undefined : 'no selective here';
  }
  async snapshot(): Promise<SavedOsState> {
    this.calls.push('snapshot');
    return { ...this.profiles };
  }
  async apply(endpoints: readonly IsolationEndpoint[]): Promise<void> {
    // The intent must already be on disk when the OS changes (a crash here is completed at the next start).
    this.calls.push(`apply ${endpoints.flatMap((e) => e.addresses).join(',')} intent=${this.files.files.has(FILE)}`);
    if (this.failApply-- > 0) throw new Error('nft: Operation not permitted');
    this.loaded = endpoints;
    this.profiles = { 'Public.DefaultInboundAction': 'Block' };
  }
  async remove(saved: SavedOsState | undefined): Promise<void> {
    this.calls.push(`remove ${JSON.stringify(saved ?? null)}`);
    this.loaded = undefined;
    if (saved) this.profiles = saved;
  }
  async present(): Promise<boolean> {
    return this.loaded !== undefined;
  }
}

function setUp(answers: Record<string, string[]> = { 'mgmt.example': ['192.0.2.10'] }) {
  const files = new MemoryFileStore();
  const backend = new RecordingBackend(files);
  const dns = { ...answers };
  const resolve: HostResolver = async (host) => {
    const found = dns[host];
    if (!found) throw new Error('ENOTFOUND');
    return found;
  };
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 10));
  const controller = new IsolationController({ stateDir: STATE }, { backend, files, resolve, clock });
  return { files, backend, dns, clock, controller };
}

const PLAN = { mode: 'full' as const, endpointUrls: ['https://mgmt.example/', 'https://[2001:db8::1]:8443/'] };

describe('IsolationController', () => {
  it('isolates: resolves every URL (literals as they are), saves the OS state once, writes the intent 0600, then applies', async () => {
    const { files, backend, controller } = setUp();
    const state = await controller.isolate(PLAN);
    expect(state).toEqual({
      isolated: true,
      mode: 'full',
      since: '2026-12-05T10:00:00.000Z',
      enforced: true,
      endpoints: [
        { url: 'https://mgmt.example/', host: 'mgmt.example', port: 443, addresses: ['192.0.2.10'] },
        { url: 'https://[2001:db8::1]:8443/', host: '2001:db8::1', port: 8443, addresses: ['2001:db8::1'] },
      ],
    });
    expect(backend.calls).toEqual(['snapshot', 'apply 192.0.2.10,2001:db8::1 intent=true']);
    expect(files.files.get(FILE)?.mode).toBe(0o600);
    expect(JSON.parse(files.files.get(FILE)?.data ?? '')).toMatchObject({ formatVersion: 1, saved: { 'Public.DefaultInboundAction': 'NotConfigured' } });
  });

  it('an unresolvable host, a bad URL, a bad or unsupported mode: a named error and nothing touched', async () => {
    const { files, backend, controller } = setUp();
    await expect(controller.isolate({ mode: 'full', endpointUrls: ['https://mgmt.example/', 'https://gone.example/'] })).rejects.toMatchObject({
      code: 'ISOLATION_ENDPOINT_UNRESOLVED',
      message: expect.stringContaining('"gone.example"'),
    });
    await expect(controller.isolate({ mode: 'full', endpointUrls: ['ftp://mgmt.example/'] })).rejects.toMatchObject({
      code: 'ACTION_INVALID',
      message: expect.stringContaining('endpointUrls[0]'),
    });
    await expect(controller.isolate({ mode: 'full', endpointUrls: [] })).rejects.toMatchObject({ code: 'ACTION_INVALID' });
    await expect(controller.isolate({ mode: 'partial' as IsolationMode, endpointUrls: PLAN.endpointUrls })).rejects.toMatchObject({
      code: 'ACTION_INVALID',
      message: expect.stringContaining('mode'),
    });
    await expect(controller.isolate({ ...PLAN, mode: 'selective' })).rejects.toMatchObject({ code: 'ACTION_UNSUPPORTED', message: 'no selective here' });
    expect(backend.calls).toEqual([]);
    expect(files.files.size).toBe(0);
  });

  it('a failed apply is rolled back: rules removed with the saved state, no intent left, ISOLATION_FAILED', async () => {
    const { files, backend, controller } = setUp();
    backend.failApply = 1;
    await expect(controller.isolate(PLAN)).rejects.toMatchObject({ code: 'ISOLATION_FAILED', message: expect.stringContaining('Operation not permitted') });
    expect(backend.calls.at(-1)).toBe('remove {"Public.DefaultInboundAction":"NotConfigured"}');
    expect(files.files.has(FILE)).toBe(false);
    expect(await controller.state()).toEqual({ isolated: false, endpoints: [], enforced: false });
  });

  it('re-isolating keeps the first snapshot and the first time; release restores that snapshot and removes the intent', async () => {
    const { backend, clock, controller } = setUp();
    await controller.isolate(PLAN);
    await clock.advance(60_000);
    const again = await controller.isolate(PLAN);
    expect(again.since).toBe('2026-12-05T10:00:00.000Z');
    expect(backend.calls.filter((c) => c === 'snapshot')).toHaveLength(1);
    expect(await controller.release()).toEqual({ isolated: false, endpoints: [], enforced: false });
    expect(backend.profiles).toEqual({ 'Public.DefaultInboundAction': 'NotConfigured' });
  });

  it('reapply after a restart: re-resolves, keeps the last addresses of a host that no longer resolves, and re-applies', async () => {
    const { files, backend, dns, controller } = setUp();
    await controller.isolate(PLAN);
    backend.loaded = undefined; // the table deleted behind the agent (reboot)
    delete dns['mgmt.example']; // DNS is blocked while isolated
    const restarted = new IsolationController({ stateDir: STATE }, { backend, files, resolve: async () => [], clock: new ManualClock(0) });
    expect(await restarted.reapply()).toMatchObject({ isolated: true, enforced: true });
    expect(backend.calls.at(-1)).toBe('apply 192.0.2.10,2001:db8::1 intent=true');
    dns['mgmt.example'] = ['192.0.2.99'];
    await controller.reapply();
    expect(JSON.parse(files.files.get(FILE)?.data ?? '').endpoints[0].addresses).toEqual(['192.0.2.99']);
  });

  it('reapply without an intent removes stray rules, and does nothing on a clean host', async () => {
    const { backend, controller } = setUp();
    expect(await controller.reapply()).toEqual({ isolated: false, endpoints: [], enforced: false });
    expect(backend.calls).toEqual([]);
    backend.loaded = [];
    expect(await controller.reapply()).toMatchObject({ isolated: false, notice: expect.stringContaining('Public.DefaultOutboundAction') });
    expect(backend.calls).toEqual(['remove {"Public.DefaultOutboundAction":"Allow"}']);
  });

  it('a corrupt isolation.json is STATE_CORRUPT, not a silent release', async () => {
    const { files, controller } = setUp();
    await files.writeAtomic(FILE, '{"formatVersion":1,"mode":"full"}');
    await expect(controller.reapply()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });

  it('release still removes the rules when isolation.json is corrupt (a device is never stuck isolated)', async () => {
    const { files, backend, controller } = setUp();
    await controller.isolate(PLAN);
    await files.writeAtomic(FILE, 'not json');
    expect(await controller.release()).toEqual({
      isolated: false,
      endpoints: [],
      enforced: false,
      notice: expect.stringMatching(/isolation\.json was unreadable.*rules were removed.*DefaultOutboundAction/),
    });
    expect(backend.calls.at(-1)).toBe('remove {"Public.DefaultOutboundAction":"Allow"}');
    expect(files.files.has(FILE)).toBe(false);
  });

  it('operations run one at a time, in call order; the refresh timer calls reapply', async () => {
    const { backend, clock, controller } = setUp();
    const order = await Promise.all([controller.isolate(PLAN), controller.release(), controller.state()]);
    expect(order.map((s) => s.isolated)).toEqual([true, false, false]);
    await controller.isolate(PLAN);
    backend.loaded = undefined;
    const errors: unknown[] = [];
    const timer = controller.startRefresh(clock, (err) => errors.push(err), 1000);
    await clock.advance(1000);
    timer.cancel();
    expect(errors).toEqual([]);
    expect(await backend.present()).toBe(true);
  });

  it('always allows the URLs the agent talks to, whatever the plan carries (review 17a, finding 11)', async () => {
    const t = setUp({ 'mgmt.example': ['192.0.2.10'], 'old.example': ['198.51.100.7'] });
    t.controller.useAgentEndpoints(['https://mgmt.example/']);
    const state = await t.controller.isolate({ mode: 'full', endpointUrls: ['https://old.example:8443/'] });
    expect(state.endpoints.map((e) => [e.host, e.port, e.addresses])).toEqual([
      ['mgmt.example', 443, ['192.0.2.10']],
      ['old.example', 8443, ['198.51.100.7']],
    ]);
    // The agent's own endpoint not resolving fails the isolation: nothing is touched, the device stays reachable.
    delete t.dns['mgmt.example'];
    await t.controller.release();
    const calls = t.backend.calls.length;
    await expect(t.controller.isolate({ mode: 'full', endpointUrls: ['https://old.example:8443/'] })).rejects.toMatchObject({
      code: 'ISOLATION_ENDPOINT_UNRESOLVED',
    });
    expect(t.backend.calls.slice(calls)).toEqual([]);
  });
});
