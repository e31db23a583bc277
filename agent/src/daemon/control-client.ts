// Client side of the control channel, used by `agent sync` and `agent status`.
import { connect } from 'node:net';
import { AttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { type ControlRequest, ControlResponse, type ControlResponse as ControlResponseT } from '../../../policy-schemas/src/index.js';

/** Sends one request and returns the daemon's answer; DAEMON_UNREACHABLE when nobody listens. */
export function callDaemon(address: string, request: ControlRequest, timeoutMs: number): Promise<ControlResponseT> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    let buffer = '';
    const fail = (message: string, cause?: unknown) => {
      socket.destroy();
      reject(new AttacheError('DAEMON_UNREACHABLE', message, { cause }));
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => fail(`agent daemon did not answer within ${timeoutMs} ms`));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
    });
    socket.on('error', (err) => fail(`agent daemon is not running (${address}: ${(err as NodeJS.ErrnoException).code ?? err.message})`, err));
    socket.on('end', () => {
      try {
        resolve(validate(ControlResponse, parseJsonText(buffer, 'control response', 'MESSAGE_INVALID'), 'control response', 'MESSAGE_INVALID'));
      } catch (err) {
        reject(err);
      }
    });
  });
}
