// The one assembly of a device's IsolationResponder: the controller over the backend of the given platform. The
// platform is an argument (platform/ is the one place that reads process.platform and will pass it here).
import type { Clock } from '../../../../common/clock.js';
import type { Platform } from '../../../../policy-schemas/src/primitives.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { createPfIsolationBackend } from './darwin.js';
import type { HostResolver } from './endpoints.js';
import type { IsolationBackend } from './isolation.js';
import { NftablesIsolationBackend } from './linux.js';
import { systemResolver } from './resolver.js';
import { IsolationController } from './responder.js';
import { WindowsFirewallIsolationBackend } from './windows.js';

export type { IsolationPlan, IsolationResponder, IsolationState } from './isolation.js';
export { IsolationController } from './responder.js';

export interface IsolationResponderDeps {
  readonly runner: CommandRunner;
  readonly files: FileStore;
  readonly clock: Clock;
  /** Default: the OS resolver, 10 s per lookup. */
  readonly resolve?: HostResolver;
}

/** The backend that isolates a device of `platform`. */
export function isolationBackend(platform: Platform, stateDir: string, deps: Pick<IsolationResponderDeps, 'runner' | 'files'>): IsolationBackend {
  switch (platform) {
    case 'linux':
      return new NftablesIsolationBackend({}, { runner: deps.runner });
    case 'macos':
      return createPfIsolationBackend({ stateDir }, deps);
    case 'windows':
      return new WindowsFirewallIsolationBackend({ runner: deps.runner });
  }
}

/** The responder of a real device; call `reapply()` at start and `startRefresh()` while running. */
export function createIsolationResponder(
  options: { readonly platform: Platform; readonly stateDir: string },
  deps: IsolationResponderDeps,
): IsolationController {
  const backend = isolationBackend(options.platform, options.stateDir, deps);
  const resolve = deps.resolve ?? systemResolver(deps.clock);
  return new IsolationController({ stateDir: options.stateDir }, { backend, files: deps.files, resolve, clock: deps.clock });
}
