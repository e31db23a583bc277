// Defender for Endpoint on Linux: the antivirus, antivirus-exclusion and EDR settings as keys of
// /etc/opt/microsoft/mdatp/managed/mdatp_managed.json (mde-domain.md §3.1), root-only, observed through `mdatp health`.
import { sleep, systemClock } from '../../../../common/clock.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { type ServiceControl, SystemdServiceControl } from '../../system/service-control.js';
import { MDATP_PATHS } from '../mdatp/cli.js';
import { JSON_CODEC, ManagedConfigFile, rootOwnerWhenRoot } from '../mdatp/managed-config.js';
import { createMdatpProviders, MdatpHost, type MdatpProvider, type VerifyOptions } from '../mdatp/provider.js';
import { MDATP_KINDS } from '../mdatp/settings.js';

export const LINUX_MDATP_MANAGED_PATH = '/etc/opt/microsoft/mdatp/managed/mdatp_managed.json';

/** mdatp reads cloud-diagnostic only at start (mde-domain.md §3.1); a change to it restarts the daemon. */
export const LINUX_MDATP_RESTART_SETTINGS: ReadonlySet<string> = new Set(['mdatp.cloudService.diagnosticLevel']);

export interface LinuxMdatpDeps {
  readonly runner: CommandRunner;
  readonly files: FileStore;
  /** Restarts the `mdatp` unit; default systemd through the runner. */
  readonly services?: ServiceControl;
  /** Pause between health readings while mdatp picks up a change; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface LinuxMdatpOptions {
  /** The managed file (tests point it into a temp dir). */
  readonly managedPath?: string;
  /** The mdatp command. */
  readonly mdatpPath?: string;
  /** Owner of the file; default root (0:0) when the agent runs as root, else the agent's own user. */
  readonly owner?: { readonly uid: number; readonly gid: number } | null;
  readonly verify?: VerifyOptions;
}

/**
 * One provider per kind with Linux mdatp settings: antivirus, antivirusExclusions and edr (securityExperience has
 * none on Linux). They share one managed file and one view of whether mdatp is installed.
 */
export function createLinuxMdatpProviders(deps: LinuxMdatpDeps, options: LinuxMdatpOptions = {}): MdatpProvider[] {
  const owner = options.owner === undefined ? rootOwnerWhenRoot() : options.owner;
  const config = new ManagedConfigFile(
    {
      path: options.managedPath ?? LINUX_MDATP_MANAGED_PATH,
      codec: JSON_CODEC,
      // 0600 root: the file can weaken protection (exclusions, passive mode), so only root may read or change it.
      write: { mode: 0o600, ...(owner ?? {}) },
      dirMode: 0o755,
    },
    deps.files,
  );
  const services = deps.services ?? new SystemdServiceControl(deps.runner);
  const host = new MdatpHost({
    platform: 'linux',
    config,
    runner: deps.runner,
    mdatpPath: options.mdatpPath ?? MDATP_PATHS.linux,
    restart: { settingIds: LINUX_MDATP_RESTART_SETTINGS, run: () => services.restart('mdatp') },
    sleep: deps.sleep ?? ((ms) => sleep(systemClock, ms)),
    ...(options.verify ? { verify: options.verify } : {}),
  });
  return createMdatpProviders(host, MDATP_KINDS);
}
