// Unit tests of the push hub with fake sockets: replacement, nudges, heartbeat termination, revocation.
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../logging.js';
import { PUSH_CLOSE, PushHub, type PushSocket } from './push-hub.js';

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

describe('PushHub', () => {
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
});
