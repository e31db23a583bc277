// Unit tests of the push hub with fake sockets: replacement, nudges, heartbeat termination, revocation, and what it
// tells the other replicas through the cluster bus.
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../logging.js';
import type { ClusterBus, ClusterEvent } from './cluster-bus.js';
import { MAX_BUFFERED_BYTES, PUSH_CLOSE, PushHub, type PushSocket } from './push-hub.js';

class FakeSocket implements PushSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: unknown[] = [];
  pings = 0;
  closedWith: number | undefined;
  terminated = false;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  ping(): void {
    this.pings++;
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
}

const newHub = () => new PushHub({ logger: createSilentLogger() });

/** A bus that records what is published. */
function recordingBus(): ClusterBus & { readonly published: ClusterEvent[] } {
  const published: ClusterEvent[] = [];
  return { replicaId: 'r1', published, publish: (e) => published.push(e), subscribe: () => undefined, close: async () => undefined };
}

describe('PushHub', () => {
  it('tells the other replicas about the devices not connected here, and nudgeHere tells nobody', () => {
    const bus = recordingBus();
    const hub = new PushHub({ logger: createSilentLogger(), bus });
    const a = new FakeSocket();
    hub.attach('a', a);
    expect(hub.nudge(['a', 'b', 'c'], 'assignment-changed')).toBe(1);
    expect(bus.published).toEqual([{ type: 'nudge', deviceIds: ['b', 'c'], reason: 'assignment-changed' }]);
    expect(hub.nudgeHere(['a', 'b'], 'policy-changed')).toBe(1);
    expect(hub.nudge(['a'], 'policy-changed')).toBe(1);
    expect(bus.published).toHaveLength(1);
    expect(a.sent).toHaveLength(3);
  });

  it('closes a socket here, or asks the replicas when the device is not connected here', () => {
    const bus = recordingBus();
    const hub = new PushHub({ logger: createSilentLogger(), bus });
    const a = new FakeSocket();
    hub.attach('a', a);
    hub.disconnect('a', PUSH_CLOSE.revoked, 'device revoked');
    hub.disconnect('b', PUSH_CLOSE.keyRotated, 'device key rotated');
    expect(a.closedWith).toBe(PUSH_CLOSE.revoked);
    expect(bus.published).toEqual([{ type: 'disconnect', deviceId: 'b', code: PUSH_CLOSE.keyRotated, reason: 'device key rotated' }]);
    expect(hub.disconnectHere('b', PUSH_CLOSE.revoked, 'x')).toBe(false);
    expect(hub.connectedHere()).toEqual([]);
  });

  it('nudges connected devices only and counts deliveries', () => {
    const hub = newHub();
    const a = new FakeSocket();
    hub.attach('a', a);
    expect(hub.nudge(['a', 'b', 'a'], 'policy-changed')).toBe(1);
    expect(a.sent).toEqual([{ type: 'sync', requestId: expect.any(String), reason: 'policy-changed' }]);
  });

  it('replaces an older socket; the old socket closing later does not detach the new one', () => {
    const hub = newHub();
    const older = new FakeSocket();
    const newer = new FakeSocket();
    hub.attach('a', older);
    hub.attach('a', newer);
    expect(older.closedWith).toBe(PUSH_CLOSE.replaced);
    hub.detach('a', older);
    expect(hub.isConnected('a')).toBe(true);
    hub.detach('a', newer);
    expect(hub.isConnected('a')).toBe(false);
  });

  it('terminates a socket that missed a heartbeat and keeps one that answered', () => {
    const hub = newHub();
    const quiet = new FakeSocket();
    const lively = new FakeSocket();
    hub.attach('quiet', quiet);
    hub.attach('lively', lively);
    hub.heartbeat();
    expect([quiet.pings, lively.pings]).toEqual([1, 1]);
    hub.markAlive('lively', lively);
    hub.heartbeat();
    expect(quiet.terminated).toBe(true);
    expect(lively.terminated).toBe(false);
    expect(hub.size).toBe(1);
  });

  it('disconnects a revoked device', () => {
    const hub = newHub();
    const socket = new FakeSocket();
    hub.attach('a', socket);
    hub.disconnect('a', PUSH_CLOSE.revoked, 'device revoked');
    expect(socket.closedWith).toBe(PUSH_CLOSE.revoked);
    expect(hub.nudge(['a'], 'admin-request')).toBe(0);
  });

  it('hands channel-2 devices to the deliverer and nudges channel-1 devices', () => {
    const hub = newHub();
    const delivered: [readonly string[], string][] = [];
    hub.useDeliverer((ids, reason) => delivered.push([ids, reason]));
    const old = new FakeSocket();
    const current = new FakeSocket();
    hub.attach('old', old, 1);
    hub.attach('current', current, 2);
    expect(hub.nudge(['old', 'current', 'gone'], 'policy-changed')).toBe(2);
    expect(old.sent).toEqual([{ type: 'sync', requestId: expect.any(String), reason: 'policy-changed' }]);
    expect(current.sent).toEqual([]);
    expect(delivered).toEqual([[['current'], 'policy-changed']]);
  });

  it('sends a message in fragments, the last one final, and drops a slow reader instead', () => {
    const hub = newHub();
    const frames: { data: unknown; fin: boolean | undefined }[] = [];
    const socket = new FakeSocket();
    socket.send = (data: string | Buffer, options?: { fin?: boolean }) => void frames.push({ data, fin: options?.fin });
    hub.attach('a', socket, 2);
    const shared = Buffer.from('[]}}');
    expect(hub.send('a', ['{"head":1', shared])).toBe(true);
    expect(frames).toEqual([
      { data: '{"head":1', fin: false },
      { data: shared, fin: true },
    ]);
    socket.bufferedAmount = MAX_BUFFERED_BYTES + 1;
    expect(hub.send('a', ['{}'])).toBe(false);
    expect(socket.terminated).toBe(true);
    expect(hub.isConnected('a')).toBe(false);
    expect(frames).toHaveLength(2);
  });

  it('counts channel requests in flight and wakes waiters once below the limit', async () => {
    const hub = newHub();
    const ends = [hub.requestStarted(), hub.requestStarted()];
    let woke = false;
    const waiting = hub.requestsBelow(2).then(() => {
      woke = true;
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    ends[0]?.();
    ends[0]?.();
    await waiting;
    expect(hub.requestsInFlight).toBe(1);
  });
});
