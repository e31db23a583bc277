// Admin CLI commands that list and remove targeting objects: `assignment list`, `group delete|remove-device|set-rule`,
// and `group preview-rule` (which devices a rule would match, before it is saved).
// Registered by cli.ts on its command tree; the shared helpers come in as dependencies.
import type { Command } from 'commander';
import type { AdminClient } from './admin-client.js';
import { allPages } from './console-commands.js';
import { assignmentsTable, groupDeletedView } from './directory-views.js';
import { readRuleFile } from './targeting-commands.js';
import { ruleView } from './targeting-views.js';
import { devicesTable, groupsTable, problemsFooter } from './views.js';

/** What the commands need from cli.ts. */
export interface DirectoryCommandDeps {
  readonly program: Command;
  readonly group: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  readonly resolveGroupId: (api: AdminClient, nameOrId: string) => Promise<string>;
  /** cli.ts's parser of positive integer option values. */
  readonly positiveInt: (value: string) => number;
}

/** Every assignment (optionally of one policy) with policy and group names for the table. */
export async function assignmentListing(api: AdminClient, policyId?: string) {
  const [assignments, policies, groups] = await Promise.all([api.listAssignments(), api.listPolicies(), api.listGroups()]);
  const items = policyId === undefined ? assignments : assignments.filter((a) => a.policyId === policyId.toLowerCase());
  const policyNames = new Map(policies.items.map((p) => [p.policyId, p.name]));
  const groupNames = new Map(groups.items.map((g) => [g.groupId, g.name]));
  return { assignments: items, table: () => assignmentsTable(items, policyNames, groupNames) };
}

/** Adds the listing and removal commands of assignments and groups. */
export function registerDirectoryCommands(d: DirectoryCommandDeps): void {
  const assignment = d.program.command('assignment').description('policy assignments (`assign` creates one, `unassign` removes it)');
  assignment
    .command('list')
    .description('list assignments: policy, group, include or exclude')
    .option('--policy <policyId>', 'only the assignments of this policy')
    .action(async (opts: { policy?: string }) => {
      const listing = await assignmentListing(await d.client(), opts.policy);
      d.print({ assignments: listing.assignments }, listing.table);
    });

  d.group
    .command('delete <group>')
    .description('delete a group (by name or id); refused while assignments target it, unless --force')
    .option('--force', 'also remove the assignments (configuration and compliance) that target it')
    .action(async (nameOrId: string, opts: { force?: boolean }) => {
      const api = await d.client();
      const deleted = await api.deleteGroup(await d.resolveGroupId(api, nameOrId), opts.force === true);
      d.print(deleted, () => groupDeletedView(nameOrId, deleted));
    });
  d.group
    .command('remove-device <group> <deviceId>')
    .description('take a device out of a static group (by group name or id)')
    .action(async (nameOrId: string, deviceId: string) => {
      const api = await d.client();
      const groupId = await d.resolveGroupId(api, nameOrId);
      await api.removeGroupMember(groupId, deviceId.toLowerCase());
      d.print({ groupId, deviceId, removed: true }, () => `device ${deviceId} is not in group ${nameOrId} any more\n`);
    });
  d.group
    .command('set-rule <group>')
    .description("replace a dynamic group's rule; its members are recomputed at once")
    .requiredOption('--rule-file <file>', 'JSON rule (urn:attache:dynamic-group-rule)')
    .action(async (nameOrId: string, opts: { ruleFile: string }) => {
      const rule = await readRuleFile(opts.ruleFile);
      const api = await d.client();
      const updated = await api.setGroupRule(await d.resolveGroupId(api, nameOrId), rule);
      d.print(updated, () => `${groupsTable([updated])}${updated.rule ? ruleView(updated.rule) : ''}`);
    });
  d.group
    .command('preview-rule')
    .description('list the devices a dynamic rule would match now (in your scope), without saving it')
    .requiredOption('--rule-file <file>', 'JSON rule (urn:attache:dynamic-group-rule), as set-rule and create-dynamic take it')
    .option('--limit <n>', 'at most this many devices', d.positiveInt)
    .action(async (opts: { ruleFile: string; limit?: number }) => {
      const rule = await readRuleFile(opts.ruleFile);
      const api = await d.client();
      const result = await allPages((page) => api.previewGroupRule(rule, page), opts.limit);
      d.print(result, () => {
        const shown = result.total > result.devices.length ? ` (${result.devices.length} shown)` : '';
        return `${ruleView(rule)}${result.total} device(s) match${shown}\n${devicesTable(result.devices)}${problemsFooter(result.problems)}`;
      });
    });
}
