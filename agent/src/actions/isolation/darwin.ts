// macOS isolation backend: the rendered rules loaded into the agent's own anchor with `pfctl -a <anchor> -f -` (rules on
// stdin, argv fixed), pf kept enabled by the isolation's own enable reference (its token in the state dir, apart from
// the firewall rules provider's), and release flushing that anchor only (`pfctl -a <anchor> -F rules`).
import { join } from 'node:path';
import { checkedPfctl, FilePfTokenStore, PFCTL, PfEnableReference, type PfTokenStore, runPfctl } from '../../providers/macos/pf-enable.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { BLOCK_ALL, ISOLATION_ANCHOR, renderPfIsolation } from './darwin-render.js';
import type { IsolationBackend, IsolationEndpoint, IsolationMode } from './isolation.js';

/** The isolation's pf enable token in the state dir. */
export const PF_ISOLATION_TOKEN_FILE = 'pf-isolation-token';

export class PfIsolationBackend implements IsolationBackend {
  private readonly reference: PfEnableReference;
  constructor(private readonly deps: { readonly runner: CommandRunner; readonly tokens: PfTokenStore }) {
    this.reference = new PfEnableReference(deps.runner, deps.tokens);
  }

  unsupportedMode(mode: IsolationMode): string | undefined {
    // Defender's selective isolation on macOS keeps chosen apps connected; pf matches addresses and ports, not apps.
    return mode === 'full' ? undefined : 'selective isolation needs per-application filtering, which pf cannot do; the agent isolates macOS fully';
  }

  async snapshot(): Promise<undefined> {
    return undefined;
  }

  async apply(endpoints: readonly IsolationEndpoint[]): Promise<void> {
    // -o none: no ruleset optimizer, so the rules stay in the order written (the quick passes before the block).
    await runPfctl(this.deps.runner, ['-a', ISOLATION_ANCHOR, '-o', 'none', '-f', '-'], renderPfIsolation(endpoints));
    await this.reference.hold();
  }

  async remove(): Promise<void> {
    await runPfctl(this.deps.runner, ['-a', ISOLATION_ANCHOR, '-F', 'rules']);
    await this.reference.release();
  }

  async present(): Promise<boolean> {
    if ((await this.reference.status()) === 'disabled') return false;
    const args = ['-a', ISOLATION_ANCHOR, '-s', 'rules'];
    const res = await this.deps.runner.run({ file: PFCTL, args, timeoutMs: 60_000 });
    // An anchor without rules does not exist for pf ("DIOCGETRULES: Invalid argument"): not isolated.
    if (res.code !== 0 && !res.spawnError && /DIOCGETRULES: Invalid argument/.test(res.stderr)) return false;
    return checkedPfctl(args, res)
      .stdout.split('\n')
      .some((line) => line.trim() === BLOCK_ALL);
  }
}

/** The macOS backend with its token kept in `<stateDir>/pf-isolation-token`. */
export function createPfIsolationBackend(
  options: { readonly stateDir: string },
  deps: { readonly runner: CommandRunner; readonly files: FileStore },
): PfIsolationBackend {
  return new PfIsolationBackend({ runner: deps.runner, tokens: new FilePfTokenStore(deps.files, join(options.stateDir, PF_ISOLATION_TOKEN_FILE)) });
}
