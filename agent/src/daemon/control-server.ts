// The daemon's local control channel: `agent sync [--dry-run]` and `agent status` talk to it over a Unix socket / named pipe.
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { toAttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { ControlRequest, type ControlResponse, type SyncOutcome, type SyncPlan } from '../../../policy-schemas/src/index.js';

const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlHandlers {
  sync(): Promise<SyncOutcome>;
  /** A local drift check now (no endpoint contact). */
  driftCheck(): Promise<SyncOutcome>;
  /** Dry run: what a sync would change; changes nothing. */
  plan(): Promise<SyncPlan>;
  /** Rotates the device key now; answers the key id now registered. */
  rotateKey(): Promise<string>;
  /** The endpoint URL in use now (answered to `ping`, shown by `status`). */
  endpointUrl?(): string;
}

/** Listens on `address`; the socket file is owner-only, so only root (the agent's user) can drive the daemon. */
export async function startControlServer(address: string, handlers: ControlHandlers, options: { readonly posix: boolean }): Promise<Server> {
  if (options.posix) await rm(address, { force: true });
  const server = createServer((socket) => serve(socket, handlers));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (options.posix) await chmod(address, 0o600);
  return server;
}

function serve(socket: Socket, handlers: ControlHandlers): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_REQUEST_BYTES) return reply(socket, { ok: false, code: 'MESSAGE_INVALID', message: 'control request too large' });
    const newline = buffer.indexOf('\n');
    if (newline < 0) return;
    socket.pause();
    void answer(buffer.slice(0, newline), handlers).then((response) => reply(socket, response));
  });
}

async function answer(line: string, handlers: ControlHandlers): Promise<ControlResponse> {
  try {
    const request = validate(ControlRequest, parseJsonText(line, 'control request', 'MESSAGE_INVALID'), 'control request', 'MESSAGE_INVALID');
    switch (request.command) {
      case 'ping':
        return { ok: true, pid: process.pid, ...(handlers.endpointUrl ? { endpointUrl: handlers.endpointUrl() } : {}) };
      case 'plan':
        return { ok: true, pid: process.pid, plan: await handlers.plan() };
      case 'rotate-key':
        return { ok: true, pid: process.pid, keyId: await handlers.rotateKey() };
      case 'drift-check':
        return { ok: true, pid: process.pid, outcome: await handlers.driftCheck() };
      default:
        return { ok: true, pid: process.pid, outcome: await handlers.sync() };
    }
  } catch (err) {
    const e = toAttacheError(err);
    return { ok: false, code: e.code, message: e.message };
  }
}

function reply(socket: Socket, response: ControlResponse): void {
  socket.end(`${JSON.stringify(response)}\n`);
}
