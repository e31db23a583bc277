// pfctl as the agent runs it, and the agent's pf enable reference: pf holds references in the kernel until released
// (`pfctl -E` prints a token; `pfctl -X <token>` releases it; `pfctl -d` drops them all; pfctl(8) on macOS), so each
// owner of rules (the firewall rules provider, the isolation) keeps its own token, in a file that outlives a restart.
import { type CommandResult, type CommandRunner, describeFailure } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { parseEnableToken, parsePfStatus } from './pf-parse.js';

export const PFCTL = '/sbin/pfctl';
const TIMEOUT_MS = 60_000;
const TOKEN = /^[0-9]{1,20}$/;

/**
 * Where the token of the agent's pf enable reference is kept. pf holds references in the kernel until they are
 * released (or `pfctl -d` drops them all), not per process, so the token must outlive an agent restart.
 */
export interface PfTokenStore {
  read(): Promise<string | undefined>;
  write(token: string | undefined): Promise<void>;
}

/** Keeps the token for the life of the process only (tests; a restart then leaks one reference until reboot). */
export class MemoryPfTokenStore implements PfTokenStore {
  private token: string | undefined;
  async read(): Promise<string | undefined> {
    return this.token;
  }
  async write(token: string | undefined): Promise<void> {
    this.token = token;
  }
}

/** Keeps the token in a root-only file (e.g. `<stateDir>/pf-token`). */
export class FilePfTokenStore implements PfTokenStore {
  constructor(
    private readonly files: FileStore,
    private readonly path: string,
  ) {}
  async read(): Promise<string | undefined> {
    const text = (await this.files.read(this.path))?.trim();
    // Anything but digits is not a token pf gave us; it is never passed to pfctl.
    return text && TOKEN.test(text) ? text : undefined;
  }
  async write(token: string | undefined): Promise<void> {
    if (token === undefined) await this.files.remove(this.path);
    else await this.files.writeAtomic(this.path, `${token}\n`, { mode: 0o600 });
  }
}

/** Runs pfctl (argv only, data on stdin) and throws naming the command when it fails. */
export async function runPfctl(runner: CommandRunner, args: readonly string[], stdin?: string): Promise<CommandResult> {
  const res = await runner.run({ file: PFCTL, args, timeoutMs: TIMEOUT_MS, ...(stdin === undefined ? {} : { stdin }) });
  return checkedPfctl(args, res);
}

export function checkedPfctl(args: readonly string[], res: CommandResult): CommandResult {
  if (res.spawnError || res.timedOut || res.code !== 0) throw new Error(describeFailure({ file: PFCTL, args }, res));
  return res;
}

/** One owner's enable reference: taken while it has rules loaded, released when it has none. */
export class PfEnableReference {
  constructor(
    private readonly runner: CommandRunner,
    private readonly tokens: PfTokenStore,
  ) {}

  /** Takes a reference unless this owner holds one and pf is on (`pfctl -d` drops every reference). */
  async hold(): Promise<void> {
    const token = await this.tokens.read();
    if (token !== undefined && (await this.status()) === 'enabled') return;
    const res = await runPfctl(this.runner, ['-E']);
    await this.tokens.write(parseEnableToken(`${res.stdout}\n${res.stderr}`));
  }

  async release(): Promise<void> {
    const token = await this.tokens.read();
    if (token === undefined) return;
    // pf disables itself when the last reference goes. A token pf no longer knows (after pfctl -d) fails here, and is
    // gone either way, so the result is not checked.
    await this.runner.run({ file: PFCTL, args: ['-X', token], timeoutMs: TIMEOUT_MS });
    await this.tokens.write(undefined);
  }

  async status(): Promise<'enabled' | 'disabled'> {
    return parsePfStatus((await runPfctl(this.runner, ['-s', 'info'])).stdout);
  }
}
