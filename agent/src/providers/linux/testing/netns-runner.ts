// Test support: a CommandRunner that runs every command inside one network namespace (`ip netns exec <ns> <file>
// <args…>`, argv only), so the real Linux firewall provider can be exercised without touching the host's ruleset.
import type { CommandResult, CommandRunner, CommandSpec } from '../../../system/command-runner.js';

/** Network namespace names the tests create: short, and nothing a shell or `ip` could read as an option. */
export const NETNS_NAME = /^[a-z][a-z0-9-]{0,40}$/;

export class NetnsCommandRunner implements CommandRunner {
  constructor(
    readonly namespace: string,
    private readonly inner: CommandRunner,
    private readonly ipPath = 'ip',
  ) {
    if (!NETNS_NAME.test(namespace)) throw new Error(`bad network namespace name ${JSON.stringify(namespace)}`);
  }

  run(spec: CommandSpec): Promise<CommandResult> {
    return this.inner.run({ ...spec, file: this.ipPath, args: ['netns', 'exec', this.namespace, spec.file, ...spec.args] });
  }
}
