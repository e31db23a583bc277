// The macOS firewall providers: the application firewall (kind `firewall`, socketfilterfw) and pf rules in the
// agent's anchor (kind `firewallRules`). platform/ wires them in on macOS.
import type { CommandRunner } from '../../system/command-runner.js';
import type { SettingsProvider } from '../provider.js';
import { PfRulesProvider, type PfTokenStore } from './pf.js';
import { SocketFilterFirewallProvider } from './socketfilterfw.js';

export interface MacosFirewallDeps {
  readonly runner: CommandRunner;
  /** Where the pf enable-reference token survives restarts (FilePfTokenStore in the state dir); default memory only. */
  readonly pfTokens?: PfTokenStore;
}

/** The `firewall` and `firewallRules` providers for macOS. */
export function createMacosFirewallProviders(deps: MacosFirewallDeps): SettingsProvider[] {
  return [
    new SocketFilterFirewallProvider({ runner: deps.runner }),
    new PfRulesProvider({ runner: deps.runner, ...(deps.pfTokens ? { tokens: deps.pfTokens } : {}) }),
  ];
}
