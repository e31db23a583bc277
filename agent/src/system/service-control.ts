// Restarting and querying OS services (mdatp after a restart-only setting, pf, …) through the service manager of the
// platform, always via the CommandRunner (argv arrays).
import { type CommandRunner, describeFailure } from './command-runner.js';

export interface ServiceControl {
  /** True when the service manager reports the service running. */
  isActive(name: string): Promise<boolean>;
  /** Restarts the service; throws with the tool's message when it cannot. */
  restart(name: string): Promise<void>;
}

/** Stopping a service for good (offboarding): it stops now and never starts again at boot. */
export interface ServiceDisabler {
  disable(name: string): Promise<void>;
}

/** Runs each step in order; a failing step throws with the tool's message (`ok` codes count as success). */
async function runSteps(runner: CommandRunner, steps: readonly { file: string; args: string[]; ok?: readonly number[] }[]): Promise<void> {
  for (const { ok = [], ...step } of steps) {
    const spec = { ...step, timeoutMs: 120_000 };
    const r = await runner.run(spec);
    if (r.code !== 0 && !(r.code !== null && ok.includes(r.code))) throw new Error(describeFailure(spec, r));
  }
}

const SERVICE_NAME = /^[A-Za-z0-9@._-]{1,128}$/;

function checkName(name: string): void {
  if (!SERVICE_NAME.test(name)) throw new Error(`invalid service name ${JSON.stringify(name)}`);
}

/** systemd (Linux). */
export class SystemdServiceControl implements ServiceControl, ServiceDisabler {
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

  /** `systemctl disable --now`: removed from boot and stopped (the agent itself, when offboarding). */
  async disable(name: string): Promise<void> {
    checkName(name);
    await runSteps(this.runner, [{ file: 'systemctl', args: ['disable', '--now', name] }]);
  }
}

/** launchd (macOS): system-domain daemons, addressed as system/<label>. */
export class LaunchdServiceControl implements ServiceControl, ServiceDisabler {
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

  /** Disabled first (kept from loading at boot), then booted out (which stops it; 3 / 113: not loaded, fine). */
  async disable(label: string): Promise<void> {
    checkName(label);
    await runSteps(this.runner, [
      { file: '/bin/launchctl', args: ['disable', `system/${label}`] },
      { file: '/bin/launchctl', args: ['bootout', `system/${label}`], ok: [3, 113] },
    ]);
  }
}

/** The Windows service control manager, through sc.exe (no PowerShell needed for this). */
export class WindowsServiceControl implements ServiceControl, ServiceDisabler {
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

  /** Start type disabled, then stopped (1062: already stopped). `start=` and its value are two arguments for sc.exe. */
  async disable(name: string): Promise<void> {
    checkName(name);
    await runSteps(this.runner, [
      { file: 'sc.exe', args: ['config', name, 'start=', 'disabled'] },
      { file: 'sc.exe', args: ['stop', name], ok: [1062] },
    ]);
  }
}
