// Admin CLI commands of issue 5: a device's alerts, health, inventory and compliance; compliance policies and their
// assignments; the access decision; access-service tokens. Registered by cli.ts; shared helpers come in as deps.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { CompliancePolicyDocument } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';
import {
  accessDecisionView,
  accessTokensTable,
  complianceAssignmentsTable,
  complianceOverviewTable,
  compliancePoliciesTable,
  compliancePolicyDetails,
  deviceAlertsView,
  deviceComplianceView,
  deviceHealthView,
  deviceInventoryView,
  importedCompliance,
} from './compliance-views.js';
import { intuneSourcesSection, problemsFooter } from './views.js';

/** What the commands need from cli.ts. */
export interface ComplianceCommandDeps {
  readonly program: Command;
  readonly device: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  readonly resolveGroupId: (api: AdminClient, nameOrId: string) => Promise<string>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function deviceId(id: string): string {
  if (!UUID_RE.test(id)) throw new AttacheError('NOT_FOUND', `"${id}" is not a device id`);
  return id.toLowerCase();
}

/** Reads and checks a compliance policy file (JSON, urn:attache:compliance-policy-document) before any request. */
export async function readCompliancePolicyFile(file: string): Promise<CompliancePolicyDocument> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read a JSON compliance policy from ${file}: ${(err as Error).message}`, { cause: err });
  }
  return validate(CompliancePolicyDocument, data, file);
}

function registerDeviceViews(d: ComplianceCommandDeps): void {
  d.device
    .command('alerts <deviceId>')
    .description('risk level (computed from stored alerts) and alerts of a device')
    .action(async (id: string) => {
      const alerts = await (await d.client()).getDeviceAlerts(deviceId(id));
      d.print(alerts, () => deviceAlertsView(alerts));
    });
  d.device
    .command('health <deviceId>')
    .description('latest health of a device (antivirus, real-time protection, signatures, firewall)')
    .action(async (id: string) => {
      const health = await (await d.client()).getDeviceHealth(deviceId(id));
      d.print(health, () => deviceHealthView(health));
    });
  d.device
    .command('inventory <deviceId>')
    .description('latest inventory of a device (OS, hardware, network, disk encryption)')
    .action(async (id: string) => {
      const inventory = await (await d.client()).getDeviceInventory(deviceId(id));
      d.print(inventory, () => deviceInventoryView(inventory));
    });
  d.device
    .command('compliance <deviceId>')
    .description('compliance state of a device with reasons, per-policy results and transitions')
    .action(async (id: string) => {
      const compliance = await (await d.client()).getDeviceCompliance(deviceId(id));
      d.print(compliance, () => deviceComplianceView(compliance));
    });
}

function registerCompliancePolicyCommands(d: ComplianceCommandDeps): void {
  const compliance = d.program.command('compliance').description('device compliance policies');
  compliance
    .command('create')
    .description('create a compliance policy from a JSON document')
    .requiredOption('--file <file>', 'compliance policy document (urn:attache:compliance-policy-document)')
    .action(async (opts: { file: string }) => {
      const created = await (await d.client()).createCompliancePolicy(await readCompliancePolicyFile(opts.file));
      d.print(created, () => compliancePolicyDetails(created));
    });
  compliance
    .command('update <policyId>')
    .description('replace a compliance policy with its next version (assigned devices are re-evaluated)')
    .requiredOption('--file <file>', 'compliance policy document')
    .action(async (id: string, opts: { file: string }) => {
      const updated = await (await d.client()).updateCompliancePolicy(id, await readCompliancePolicyFile(opts.file));
      d.print(updated, () => compliancePolicyDetails(updated));
    });
  compliance
    .command('list')
    .description('list compliance policies')
    .action(async () => {
      const { items: policies, problems } = await (await d.client()).listCompliancePolicies();
      d.print(
        { compliancePolicies: policies, problems },
        () => compliancePoliciesTable(policies) + intuneSourcesSection(policies.map(importedCompliance)) + problemsFooter(problems),
      );
    });
  compliance
    .command('show <policyId>')
    .description('show a compliance policy')
    .action(async (id: string) => {
      const found = await (await d.client()).getCompliancePolicy(id);
      d.print(found, () => compliancePolicyDetails(found));
    });
  compliance
    .command('delete <policyId>')
    .description('delete a compliance policy and its assignments')
    .action(async (id: string) => {
      await (await d.client()).deleteCompliancePolicy(id);
      d.print({ compliancePolicyId: id, deleted: true }, () => `compliance policy ${id} deleted\n`);
    });
  compliance
    .command('assign <policyId> <group>')
    .description('assign a compliance policy to a group (by name or id; static or dynamic)')
    .option('--exclude', 'exclude the group instead (exclusion wins)')
    .action(async (id: string, nameOrId: string, opts: { exclude?: boolean }) => {
      const api = await d.client();
      const assignment = await api.assignCompliancePolicy(id, await d.resolveGroupId(api, nameOrId), opts.exclude ? 'exclude' : 'include');
      d.print(assignment, () => `compliance policy ${id} assigned to group ${nameOrId} (${assignment.mode}, assignment ${assignment.assignmentId})\n`);
    });
  compliance
    .command('devices')
    .description('every device with its risk level, compliance state and access decision')
    .action(async () => {
      const overview = await (await d.client()).getComplianceOverview();
      d.print(overview, () => complianceOverviewTable(overview));
    });
  compliance
    .command('assignments')
    .description('list compliance assignments')
    .action(async () => {
      const assignments = await (await d.client()).listComplianceAssignments();
      d.print({ assignments }, () => complianceAssignmentsTable(assignments));
    });
  compliance
    .command('unassign <assignmentId>')
    .description('remove a compliance assignment')
    .action(async (assignmentId: string) => {
      await (await d.client()).removeComplianceAssignment(assignmentId);
      d.print({ assignmentId, removed: true }, () => `compliance assignment ${assignmentId} removed\n`);
    });
}

function registerAccessCommands(d: ComplianceCommandDeps): void {
  d.program
    .command('access')
    .description('access decisions (conditional access)')
    .command('check <deviceId>')
    .description('the access decision a gateway gets for a device: allow or block, with reasons')
    .action(async (id: string) => {
      const decision = await (await d.client()).getAccessDecision(deviceId(id));
      d.print(decision, () => accessDecisionView(decision));
    });
  const tokens = d.program.command('access-token').description('tokens of conditional-access gateways (access decisions only)');
  tokens
    .command('create')
    .description('create an access token (the only time it is shown)')
    .option('--description <text>', 'note stored with the token')
    .action(async (opts: { description?: string }) => {
      const created = await (await d.client()).createAccessToken(opts.description);
      d.print(created, () => `token id: ${created.tokenId}\ntoken:    ${created.token}\n(store it now: it is not shown again)\n`);
    });
  tokens
    .command('list')
    .description('list access tokens')
    .action(async () => {
      const list = await (await d.client()).listAccessTokens();
      d.print({ accessTokens: list }, () => accessTokensTable(list));
    });
  tokens
    .command('revoke <tokenId>')
    .description('revoke an access token at once')
    .action(async (tokenId: string) => {
      await (await d.client()).revokeAccessToken(tokenId);
      d.print({ tokenId, revoked: true }, () => `access token ${tokenId} revoked\n`);
    });
}

/** Adds the signals, compliance and access commands to the CLI. */
export function registerComplianceCommands(d: ComplianceCommandDeps): void {
  registerDeviceViews(d);
  registerCompliancePolicyCommands(d);
  registerAccessCommands(d);
}
