// Windows isolation backend: block rules plus an allow rule per endpoint port in Windows Firewall group 'Attaché
// Isolation' and block-by-default profiles (saved before the first apply, restored on release), via one constant
// PowerShell script with data as JSON on stdin. Providers never name this group (docs/actions.md).

import { runPowerShell } from '../../providers/windows/powershell.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { IsolationBackend, IsolationEndpoint, IsolationMode, SavedOsState } from './isolation.js';
import { renderWindowsIsolationRules, savedProfiles, WINDOWS_DEFAULT_PROFILES } from './windows-render.js';
import { ISOLATION_SCRIPT } from './windows-script.js';

export class WindowsFirewallIsolationBackend implements IsolationBackend {
  readonly unsavedDefaults = WINDOWS_DEFAULT_PROFILES;

  constructor(private readonly deps: { readonly runner: CommandRunner }) {}

  unsupportedMode(mode: IsolationMode): string | undefined {
    // Defender's selective isolation keeps Outlook, Teams and Skype connected; block rules (which beat every allow
    // rule) cannot except an application, so only full isolation is offered for now.
    return mode === 'full' ? undefined : 'selective isolation (allowing chosen applications) is not implemented on Windows; use full';
  }

  async snapshot(): Promise<SavedOsState> {
    return savedProfiles(await runPowerShell(this.deps.runner, ISOLATION_SCRIPT, { op: 'snapshot' }));
  }

  async apply(endpoints: readonly IsolationEndpoint[]): Promise<void> {
    const rules = renderWindowsIsolationRules(endpoints);
    const result = await runPowerShell(this.deps.runner, ISOLATION_SCRIPT, { op: 'apply', rules });
    if (ruleCount(result) !== rules.length) throw new Error(`isolation: ${rules.length} rules written, ${ruleCount(result)} read back`);
  }

  async remove(saved: SavedOsState | undefined): Promise<void> {
    // Never leave block-by-default profiles behind: without saved values the documented defaults go back.
    const result = await runPowerShell(this.deps.runner, ISOLATION_SCRIPT, { op: 'remove', saved: savedProfiles(saved ?? this.unsavedDefaults) });
    if (ruleCount(result) !== 0) throw new Error(`isolation: ${ruleCount(result)} rules of the group remain after removal`);
  }

  async present(): Promise<boolean> {
    return ruleCount(await runPowerShell(this.deps.runner, ISOLATION_SCRIPT, { op: 'present' })) > 0;
  }
}

function ruleCount(result: unknown): number {
  const count = (result as { rules?: unknown } | null)?.rules;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error(`isolation script printed no rule count: ${JSON.stringify(result)}`);
  return count;
}
