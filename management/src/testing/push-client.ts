// Test support: a signed push WebSocket whose incoming messages can be awaited one by one (no sleeps).
import WebSocket from 'ws';
import type { TestDevice } from './https-client.js';

/** An open push connection of a test device. */
export class TestPushClient {
  private readonly queue: unknown[] = [];
  private waiters: ((message: unknown) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message: unknown = JSON.parse(String(data));
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens /v1/device/push (or `path`, e.g. with `?channel=2`) signed by `device`; rejects with the HTTP status when the upgrade is refused. */
  static open(baseUrl: string, ca: string, device: TestDevice, headers?: Record<string, string>, path = '/v1/device/push'): Promise<TestPushClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^https/, 'wss')}${path}`, { ca, headers: headers ?? device.signedHeaders('GET', path, '') });
    const client = new TestPushClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${res.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** The next message (already received or still to come). */
  next(): Promise<unknown> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(text: string): void {
    this.socket.send(text);
  }

  close(): void {
    this.socket.close();
  }
}
