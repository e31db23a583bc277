// A stand-in for the `mdatp` tool in boundary and contract tests (this machine has no Defender): answers
// `mdatp health --output json` in the recorded JSON shape (linux/testdata/mdatp-health-*.json) with values derived
// from the managed file, as mdatp does once it has read it. It can play "not installed" and "ignores a setting".
import { defaultFor, type SettingValue, settingById } from '../../../../../policy-schemas/src/index.js';
import type { CommandResult, CommandSpec } from '../../../system/command-runner.js';
import type { ManagedConfigFile } from '../managed-config.js';
import { MDATP_SETTINGS } from '../settings.js';

export interface EmulatedMdatpOptions {
  readonly platform: 'linux' | 'macos';
  readonly config: ManagedConfigFile;
  /** false: every mdatp command fails to start (ENOENT). */
  installed?: boolean;
  /** Set: `mdatp health` exits 1 with this message (daemon stopped or starting). */
  failHealth?: string;
  /** Settings whose managed value mdatp pretends not to take (health keeps showing the default). */
  readonly ignored?: Set<string>;
  /** Tags other services set (Defender for Cloud adds AzureResourceId…), reported beside the GROUP tags. */
  readonly foreignTags?: readonly { key: string; value: string }[];
}

/** Serves the commands a mdatp provider runs; every call is recorded by the ScriptedCommandRunner around it. */
export class EmulatedMdatp {
  restarts = 0;
  /** Called before each health answer (tests use it to let mdatp "pick up" a value late). */
  onHealth: (() => void) | undefined;

  constructor(readonly options: EmulatedMdatpOptions) {}

  /** The ScriptedCommandRunner response function. */
  readonly respond = async (spec: CommandSpec): Promise<Partial<CommandResult>> => {
    if (spec.file.endsWith('/mdatp')) {
      if (this.options.installed === false) return { code: null, spawnError: `ENOENT: spawn ${spec.file} ENOENT` };
      if (spec.args.join(' ') !== 'health --output json') return { code: 1, stderr: `unexpected mdatp arguments ${JSON.stringify(spec.args)}` };
      this.onHealth?.();
      if (this.options.failHealth !== undefined) return { code: 1, stderr: this.options.failHealth };
      return { stdout: JSON.stringify(await this.health()) };
    }
    if (spec.file === 'systemctl' && spec.args.join(' ') === 'restart mdatp') {
      this.restarts++;
      return {};
    }
    return { code: 127, spawnError: `ENOENT: unexpected command ${spec.file}` };
  };

  private async health(): Promise<Record<string, unknown>> {
    // mdatp ignores a managed file it cannot parse and runs on its defaults.
    const doc = await this.options.config.read().catch(() => ({}));
    const value = (id: string): { value: SettingValue | undefined; managed: boolean } => {
      const setting = MDATP_SETTINGS.get(id);
      const def = settingById(id);
      const managed = this.options.ignored?.has(id) ? undefined : setting?.read(doc);
      return managed !== undefined ? { value: managed, managed: true } : { value: def ? defaultFor(def, this.options.platform) : undefined, managed: false };
    };
    const wrap = (v: { value: unknown; managed: boolean }) => ({ displayValue: true, isManaged: v.managed, value: v.value });
    const level = value('mdatp.antivirusEngine.enforcementLevel');
    const tags = value('mdatp.edr.tags');
    return {
      $type: 'getHealthAllResult',
      appVersion: '101.25012.0003',
      automaticDefinitionUpdateEnabled: wrap(value('mdatp.cloudService.automaticDefinitionUpdateEnabled')),
      behaviorMonitoring: wrap(value('mdatp.antivirusEngine.behaviorMonitoring')),
      cloudAutomaticSampleSubmissionConsent: wrap(value('mdatp.cloudService.automaticSampleSubmissionConsent')),
      cloudDiagnosticEnabled: wrap({ ...value('mdatp.cloudService.diagnosticLevel'), value: value('mdatp.cloudService.diagnosticLevel').value === 'optional' }),
      cloudEnabled: wrap(value('mdatp.cloudService.enabled')),
      definitionsStatus: { $type: 'upToDate' },
      edrDeviceTags: wrap({
        value: [...(this.options.foreignTags ?? []), ...((tags.value as string[] | undefined) ?? []).map((t) => ({ key: 'GROUP', value: t }))],
        managed: tags.managed,
      }),
      edrGroupIds: wrap(value('mdatp.edr.groupIds')),
      healthIssues: [],
      healthy: true,
      licensed: true,
      networkProtectionEnforcementLevel: wrap(value('mdatp.networkProtection.enforcementLevel')),
      passiveModeEnabled: wrap({ value: level.value === 'passive', managed: level.managed }),
      realTimeProtectionEnabled: wrap({ value: level.value === 'real_time', managed: level.managed }),
      ...(this.options.platform === 'macos'
        ? {
            tamperProtection: wrap(value('mdatp.tamperProtection.enforcementLevel')),
            realTimeProtectionSubsystem: value('mdatp.features.systemExtensions').value === 'enabled' ? 'endpoint_security_extension' : 'kernel_extension',
            // Printed as a word, as in the recorded outputs (testdata/wdav-health-healthy.json).
            edrEarlyPreviewEnabled: wrap({ ...value('mdatp.edr.earlyPreview'), value: value('mdatp.edr.earlyPreview').value ? 'enabled' : 'disabled' }),
          }
        : {}),
    };
  }
}
