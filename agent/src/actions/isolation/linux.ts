// Linux isolation backend: the rendered table loaded with `nft -f -` (the file text on stdin, argv fixed), removed by
// a create+delete transaction of that table only, observed with `nft list table`. Only `inet attache_isolation` is
// ever named, so the firewall policy's table and every table of the host's own stay as they are.
import { type CommandResult, type CommandRunner, describeFailure } from '../../system/command-runner.js';
import type { IsolationBackend, IsolationEndpoint, IsolationMode } from './isolation.js';
import { ISOLATION_TABLE, ISOLATION_TABLE_FAMILY, renderIsolationRemoval, renderIsolationTable } from './linux-render.js';

const TIMEOUT_MS = 30_000;
/** What nft says when the table does not exist (nft 0.9–1.1: "No such file or directory"). */
const NO_TABLE = /No such file or directory/;

export class NftablesIsolationBackend implements IsolationBackend {
  private readonly nft: string;
  constructor(
    options: { readonly nftPath?: string },
    private readonly deps: { readonly runner: CommandRunner },
  ) {
    this.nft = options.nftPath ?? 'nft';
  }

  unsupportedMode(mode: IsolationMode): string | undefined {
    // Defender for Endpoint on Linux offers full isolation only (respond-machine-alerts, "Isolate devices").
    return mode === 'full' ? undefined : 'selective isolation is not available on Linux (as in Defender for Endpoint: full isolation only)';
  }

  async snapshot(): Promise<undefined> {
    return undefined;
  }

  async apply(endpoints: readonly IsolationEndpoint[]): Promise<void> {
    await this.run(['-f', '-'], renderIsolationTable(endpoints));
  }

  async remove(): Promise<void> {
    await this.run(['-f', '-'], renderIsolationRemoval());
  }

  async present(): Promise<boolean> {
    const args = ['list', 'table', ISOLATION_TABLE_FAMILY, ISOLATION_TABLE];
    const res = await this.deps.runner.run({ file: this.nft, args, timeoutMs: TIMEOUT_MS });
    if (res.code === 0) return true;
    if (!res.spawnError && !res.timedOut && NO_TABLE.test(res.stderr)) return false;
    throw new Error(describeFailure({ file: this.nft, args }, res));
  }

  private async run(args: string[], stdin: string): Promise<CommandResult> {
    const res = await this.deps.runner.run({ file: this.nft, args, stdin, timeoutMs: TIMEOUT_MS });
    if (res.spawnError || res.timedOut || res.code !== 0) throw new Error(describeFailure({ file: this.nft, args }, res));
    return res;
  }
}
