// Restarting and querying OS services (mdatp after a restart-only setting, pf, …) through the service manager of the
// platform, always via the CommandRunner (argv arrays).
import { type CommandRunner, describeFailure } from './command-runner.js';

export interface ServiceControl {
  /** True when the service manager reports the service running. */
  isActive(name: string): Promise<boolean>;
  /** Restarts the service; throws with the tool's message when it cannot. */
  restart(name: string): Promise<void>;
}

const SERVICE_NAME = /^[A-Za-z0-9@._-]{1,128}$/;

function checkName(name: string): void {
  if (!SERVICE_NAME.test(name)) throw new Error(`invalid service name ${JSON.stringify(name)}`);
}

/** systemd (Linux). */
export class SystemdServiceControl implements ServiceControl {
  constructor(private readonly runner: CommandRunner) {}

  async isActive(name: string): Promise<boolean> {
    checkName(name);
    const r = await this.runner.run({ file: 'systemctl', args: ['is-active', '--quiet', name], timeoutMs: 15_000 });
    return r.code === 0;
  }

  async restart(name: string): Promise<void> {
    checkName(name);
    const spec = { file: 'systemctl', args: ['restart', name], timeoutMs: 120_000 };
    const r = await this.runner.run(spec);
    if (r.code !== 0) throw new Error(describeFailure(spec, r));
  }
}

/** launchd (macOS): system-domain daemons, addressed as system/<label>. */
export class LaunchdServiceControl implements ServiceControl {
  constructor(private readonly runner: CommandRunner) {}

  async isActive(label: string): Promise<boolean> {
    checkName(label);
    const r = await this.runner.run({ file: '/bin/launchctl', args: ['print', `system/${label}`], timeoutMs: 15_000 });
    return r.code === 0 && /\bstate = running\b/.test(r.stdout);
  }

  async restart(label: string): Promise<void> {
    checkName(label);
    const spec = { file: '/bin/launchctl', args: ['kickstart', '-k', `system/${label}`], timeoutMs: 120_000 };
    const r = await this.runner.run(spec);
    if (r.code !== 0) throw new Error(describeFailure(spec, r));
  }
}

/** The Windows service control manager, through sc.exe (no PowerShell needed for this). */
export class WindowsServiceControl implements ServiceControl {
  constructor(private readonly runner: CommandRunner) {}

  async isActive(name: string): Promise<boolean> {
    checkName(name);
    const r = await this.runner.run({ file: 'sc.exe', args: ['query', name], timeoutMs: 15_000 });
    return r.code === 0 && /STATE\s+:\s+4\s+RUNNING/.test(r.stdout);
  }

  async restart(name: string): Promise<void> {
    checkName(name);
    for (const verb of ['stop', 'start']) {
      const spec = { file: 'sc.exe', args: [verb, name], timeoutMs: 120_000 };
      const r = await this.runner.run(spec);
      // 1062: not started (stop of a stopped service) is fine.
      if (r.code !== 0 && !(verb === 'stop' && r.code === 1062)) throw new Error(describeFailure(spec, r));
    }
  }
}
