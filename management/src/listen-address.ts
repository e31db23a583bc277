// Parsing of the --listen option of `serve`.
import { InvalidArgumentError } from 'commander';

/** Parses `host:port`, `[v6]:port` or `port`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) throw new InvalidArgumentError('expected host:port, [v6-host]:port or port');
  return { host: match[1] || match[2] || '127.0.0.1', port };
}
