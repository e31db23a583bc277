// The real HostResolver: the OS resolver (getaddrinfo through node:dns lookup, so /etc/hosts and the system's DNS
// configuration apply as for the agent's own connections), bounded in time on the injected clock.
import { lookup } from 'node:dns/promises';
import type { Clock } from '../../../../common/clock.js';
import type { HostResolver } from './endpoints.js';

/** Every address of `host` (IPv4 and IPv6, in the OS's order); rejects after `timeoutMs`. */
export function systemResolver(clock: Pick<Clock, 'setTimer'>, timeoutMs = 10_000): HostResolver {
  return (host) =>
    new Promise<readonly string[]>((resolve, reject) => {
      const timer = clock.setTimer(() => reject(new Error(`lookup timed out after ${timeoutMs} ms`)), timeoutMs);
      lookup(host, { all: true, verbatim: true }).then(
        (answers) => {
          timer.cancel();
          resolve(answers.map((a) => a.address));
        },
        (err: NodeJS.ErrnoException) => {
          timer.cancel();
          reject(new Error(err.code ?? err.message));
        },
      );
    });
}
