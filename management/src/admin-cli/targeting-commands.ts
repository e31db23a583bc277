// Admin CLI commands of targeting and reporting: what-if, policy delete/status, unassign, device tags/events, dynamic
// groups. Registered by cli.ts on its command tree; the shared helpers come in as dependencies.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AttacheError } from '../../../common/errors.js';
import { terminalCell } from '../../../common/terminal-text.js';
import { validate } from '../../../common/validation.js';
import { DynamicGroupRule, type PolicyDocument } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';
import { deviceEventsView, policyStatusView, ruleView, whatIfView } from './targeting-views.js';
import { deviceDetails, groupsTable } from './views.js';

/** What the commands need from cli.ts. */
export interface TargetingCommandDeps {
  readonly program: Command;
  readonly policy: Command;
  readonly device: Command;
  readonly group: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  readonly resolveGroupId: (api: AdminClient, nameOrId: string) => Promise<string>;
  readonly readPolicyFile: (file: string) => Promise<PolicyDocument>;
}

/** Reads a JSON dynamic-group rule file (urn:attache:dynamic-group-rule). */
export async function readRuleFile(file: string): Promise<DynamicGroupRule> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read a JSON rule from ${file}: ${(err as Error).message}`, { cause: err });
  }
  return validate(DynamicGroupRule, data, file);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the targeting and reporting commands to the CLI. */
export function registerTargetingCommands(d: TargetingCommandDeps): void {
  const whatIf = d.program.command('what-if').description('show what a change would do to each device, without making it');
  whatIf
    .command('policy-create')
    .description('a new policy, optionally assigned to groups')
    .requiredOption('--file <file>', 'policy document')
    .option('--group <group>', 'group (name or id) it would be assigned to; repeatable', collect)
    .action(async (opts: { file: string; group?: string[] }) => {
      const document = await d.readPolicyFile(opts.file);
      const api = await d.client();
      const assignments = [];
      for (const g of opts.group ?? []) assignments.push({ groupId: await d.resolveGroupId(api, g) });
      const result = await api.whatIf({ change: 'createPolicy', document, ...(assignments.length ? { assignments } : {}) });
      d.print(result, () => whatIfView(result));
    });
  whatIf
    .command('policy-update <policyId>')
    .description('the next version of a policy')
    .requiredOption('--file <file>', 'policy document')
    .action(async (policyId: string, opts: { file: string }) => {
      const document = await d.readPolicyFile(opts.file);
      const result = await (await d.client()).whatIf({ change: 'updatePolicy', policyId, document });
      d.print(result, () => whatIfView(result));
    });
  whatIf
    .command('policy-delete <policyId>')
    .description('deleting a policy')
    .action(async (policyId: string) => {
      const result = await (await d.client()).whatIf({ change: 'deletePolicy', policyId });
      d.print(result, () => whatIfView(result));
    });
  whatIf
    .command('assign <policyId> <group>')
    .description('assigning a policy to a group (by name or id)')
    .option('--exclude', 'an exclusion instead of an inclusion')
    .action(async (policyId: string, nameOrId: string, opts: { exclude?: boolean }) => {
      const api = await d.client();
      const groupId = await d.resolveGroupId(api, nameOrId);
      const result = await api.whatIf({ change: 'addAssignment', policyId, groupId, mode: opts.exclude ? 'exclude' : 'include' });
      d.print(result, () => whatIfView(result));
    });
  whatIf
    .command('unassign <assignmentId>')
    .description('removing an assignment')
    .action(async (assignmentId: string) => {
      const result = await (await d.client()).whatIf({ change: 'removeAssignment', assignmentId });
      d.print(result, () => whatIfView(result));
    });

  d.policy
    .command('status <policyId>')
    .description('per-device state and per-setting counts of a policy')
    .action(async (policyId: string) => {
      const status = await (await d.client()).getPolicyStatus(policyId);
      d.print(status, () => policyStatusView(status));
    });
  d.policy
    .command('delete <policyId>')
    .description('delete a policy (its assignments are removed, its versions kept)')
    .action(async (policyId: string) => {
      await (await d.client()).deletePolicy(policyId);
      d.print({ policyId, deleted: true }, () => `policy ${policyId} deleted\n`);
    });
  d.program
    .command('unassign <assignmentId>')
    .description('remove an assignment')
    .action(async (assignmentId: string) => {
      await (await d.client()).removeAssignment(assignmentId);
      d.print({ assignmentId, removed: true }, () => `assignment ${assignmentId} removed\n`);
    });

  d.device
    .command('events <deviceId>')
    .description('events a device reported (restored, remediated, rejected), newest first')
    .action(async (deviceId: string) => {
      const events = await (await d.client()).getDeviceEvents(deviceId.toLowerCase());
      d.print(events, () => deviceEventsView(events));
    });
  d.device
    .command('tag <deviceId>')
    .description('add or remove device tags (dynamic groups are re-evaluated)')
    .option('--add <tag>', 'tag to add; repeatable', collect)
    .option('--remove <tag>', 'tag to remove; repeatable', collect)
    .action(async (deviceId: string, opts: { add?: string[]; remove?: string[] }) => {
      const found = await (await d.client()).changeDeviceTags(deviceId.toLowerCase(), {
        ...(opts.add ? { add: opts.add } : {}),
        ...(opts.remove ? { remove: opts.remove } : {}),
      });
      d.print(found, () => `${deviceDetails(found)}tags:      ${terminalCell(found.tags.join(', ')) || '-'}\n`);
    });

  d.group
    .command('create-dynamic <name>')
    .description('create a dynamic group whose members are the devices a rule matches')
    .requiredOption(
      '--rule-file <file>',
      'JSON rule (urn:attache:dynamic-group-rule), e.g. {"match":"all","conditions":[{"attribute":"os","equals":"windowsServer"}]}',
    )
    .action(async (name: string, opts: { ruleFile: string }) => {
      const created = await (await d.client()).createGroup(name, await readRuleFile(opts.ruleFile));
      d.print(created, () => `${groupsTable([created])}${created.rule ? ruleView(created.rule) : ''}`);
    });
}
