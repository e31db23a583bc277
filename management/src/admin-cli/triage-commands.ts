// Admin CLI commands of alert triage (issue 17 §5): `alert show|update|comment|suppress`, `suppression list|update|delete`.
// Input is checked here only as far as the endpoint cannot (flags that exclude each other); the endpoint names the field.
import type { Command } from 'commander';
import { systemClock } from '../../../common/clock.js';
import { isoTime } from '../../../common/iso-time.js';
import type { AlertTriagePatch, SuppressionRuleRequest } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';
import { usage } from './cli-errors.js';
import { alertTriageView, suppressionRulesTable } from './triage-views.js';

/** What the commands need from cli.ts. */
export interface TriageCommandDeps {
  readonly program: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  /** The clock (default: the system clock). */
  readonly now?: () => number;
}

interface UpdateFlags {
  status?: string;
  classification?: string;
  determination?: string;
  assignTo?: string;
  unassign?: boolean;
  comment?: string;
}

/** The PATCH body from the flags; `none` clears classification or determination. */
export function patchFromFlags(flags: UpdateFlags): AlertTriagePatch {
  if (flags.assignTo !== undefined && flags.unassign) throw usage('--assign-to and --unassign exclude each other');
  const cleared = (v: string | undefined) => (v === undefined ? undefined : v === 'none' ? null : v);
  const patch = {
    ...(flags.status !== undefined ? { status: flags.status } : {}),
    ...(flags.classification !== undefined ? { classification: cleared(flags.classification) } : {}),
    ...(flags.determination !== undefined ? { determination: cleared(flags.determination) } : {}),
    ...(flags.assignTo !== undefined ? { assignedTo: flags.assignTo } : flags.unassign ? { assignedTo: null } : {}),
    ...(flags.comment !== undefined ? { comment: flags.comment } : {}),
  };
  if (Object.keys(patch).length === 0) throw usage('nothing to change: give --status, --classification, --determination, --assign-to, --unassign or --comment');
  return patch as AlertTriagePatch;
}

/** Registers `alert …` and `suppression …` on the program. */
export function registerTriageCommands(d: TriageCommandDeps): void {
  const now = d.now ?? (() => systemClock.now());
  const alert = d.program.command('alert').description('triage device alerts: resolve, classify, assign, comment, suppress');
  alert
    .command('show <deviceId> <alertId>')
    .description('one alert with its triage, effect on risk, and comments')
    .action(async (deviceId: string, alertId: string) => {
      const view = await (await d.client()).getAlertTriage(deviceId, alertId);
      d.print(view, () => alertTriageView(view));
    });
  alert
    .command('update <deviceId> <alertId>')
    .description("change an alert's triage (risk, compliance and access are re-evaluated at once)")
    .option('--status <status>', 'new | inProgress | resolved')
    .option('--classification <c>', 'truePositive | informationalExpectedActivity | falsePositive | none')
    .option('--determination <d>', "Defender's determination for the classification (e.g. notMalicious) | none")
    .option('--assign-to <who>', 'the owner of the alert')
    .option('--unassign', 'remove the owner')
    .option('--comment <text>', 'a comment recorded with the change')
    .action(async (deviceId: string, alertId: string, flags: UpdateFlags) => {
      const view = await (await d.client()).updateAlert(deviceId, alertId, patchFromFlags(flags));
      d.print(view, () => alertTriageView(view));
    });
  alert
    .command('comment <deviceId> <alertId> <text>')
    .description('add a comment to an alert')
    .action(async (deviceId: string, alertId: string, text: string) => {
      const view = await (await d.client()).commentOnAlert(deviceId, alertId, text);
      d.print(view, () => alertTriageView(view));
    });
  alert
    .command('suppress <alertId>')
    .description('suppress an alert on one device (--device) or on every device (--organization)')
    .option('--device <deviceId>', 'suppress on this device only')
    .option('--organization', 'suppress on every device')
    .requiredOption('--comment <text>', 'why (shown with the rule)')
    .option('--expires <time>', 'RFC 3339 time, or a duration such as 7d or 12h, after which the rule stops applying')
    .action(async (alertId: string, flags: { device?: string; organization?: boolean; comment: string; expires?: string }) => {
      if ((flags.device === undefined) === !flags.organization) throw usage('give exactly one of --device <deviceId> and --organization');
      const request: SuppressionRuleRequest = {
        scope: flags.organization ? 'organization' : 'device',
        ...(flags.device !== undefined ? { deviceId: flags.device } : {}),
        alertId,
        comment: flags.comment,
        ...(flags.expires !== undefined ? { expiresAt: expiryTime(flags.expires, now()) } : {}),
      };
      const rule = await (await d.client()).createSuppressionRule(request);
      d.print(rule, () => suppressionRulesTable([rule], isoTime(now())));
    });
  const suppression = d.program.command('suppression').description('alert suppression rules');
  suppression
    .command('list')
    .description('every suppression rule, expired ones marked')
    .action(async () => {
      const rules = await (await d.client()).listSuppressionRules();
      d.print({ rules }, () => suppressionRulesTable(rules, isoTime(now())));
    });
  suppression
    .command('update <ruleId>')
    .description("change a rule's reason or expiry (the devices it reaches are re-evaluated at once)")
    .option('--comment <text>', 'the new reason')
    .option('--expires <time>', 'RFC 3339 time or a duration such as 7d')
    .option('--no-expiry', 'keep the rule until it is deleted')
    .action(async (ruleId: string, flags: { comment?: string; expires?: string; expiry?: boolean }) => {
      if (flags.expires !== undefined && flags.expiry === false) throw usage('--expires and --no-expiry exclude each other');
      const patch = {
        ...(flags.comment !== undefined ? { comment: flags.comment } : {}),
        ...(flags.expires !== undefined ? { expiresAt: expiryTime(flags.expires, now()) } : flags.expiry === false ? { expiresAt: null } : {}),
      };
      if (Object.keys(patch).length === 0) throw usage('nothing to change: give --comment, --expires or --no-expiry');
      const rule = await (await d.client()).updateSuppressionRule(ruleId, patch);
      d.print(rule, () => suppressionRulesTable([rule], isoTime(now())));
    });
  suppression
    .command('delete <ruleId>')
    .description('delete a rule: the alerts it suppressed count again at once')
    .action(async (ruleId: string) => {
      await (await d.client()).deleteSuppressionRule(ruleId);
      d.print({ ruleId, deleted: true }, () => `suppression rule ${ruleId} deleted\n`);
    });
}

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--expires`: a duration from now (30m, 12h, 7d) or an RFC 3339 time passed on as given (the endpoint checks it). */
export function expiryTime(value: string, nowMs: number): string {
  const m = /^(\d{1,6})([mhd])$/.exec(value);
  if (m) return isoTime(nowMs + Number(m[1]) * (UNITS[m[2] as string] as number));
  return value;
}
