// The admin CLI `attache-admin`: commands over the admin API. Policy files are checked locally against the schema and
// the settings catalog before any request. Errors print once on stderr (`error CODE: message`, or the JSON envelope
// under --json) and exit with the shared code of common/exit-codes.ts (docs/errors.md).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { wantsJson } from '../../../common/error-output.js';
import { AttacheError } from '../../../common/errors.js';
import { exitCodesHelp } from '../../../common/exit-codes.js';
import { terminalText } from '../../../common/terminal-text.js';
import { ATTACHE_VERSION } from '../../../common/version.js';
import type { PolicyDocument } from '../../../policy-schemas/src/index.js';
import { parsePolicyDocument } from '../service/policies.js';
import { registerActionCommands } from './action-commands.js';
import { AdminClient } from './admin-client.js';
import { registerAuditCommands } from './audit-commands.js';
import { reportError, type UsageCapture } from './cli-errors.js';
import { completionScript, SHELLS } from './completion.js';
import { registerComplianceCommands } from './compliance-commands.js';
import { type ConnectionFlags, PROFILE_ENV, resolveConnection } from './connection.js';
import { registerConsoleCommands } from './console-commands.js';
import { assignmentListing, registerDirectoryCommands } from './directory-commands.js';
import { registerIdentityCommands } from './identity-commands.js';
import { registerImportCommand } from './import-command.js';
import { registerKeyCommands } from './key-commands.js';
import { positiveInt, registerOnboardingCommands } from './onboarding-commands.js';
import { registerTargetingCommands } from './targeting-commands.js';
import { registerTaskCommands } from './task-commands.js';
import { registerTriageCommands } from './triage-commands.js';
import { deviceDetails, deviceStatusView, groupsTable, importedPolicy, intuneSourcesSection, policiesTable, policyDetails, problemsFooter } from './views.js';
import { registerVulnerabilityCommands } from './vulnerability-commands.js';

/** Where the CLI writes (the process streams, or buffers in tests). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface GlobalFlags extends ConnectionFlags {
  readonly json?: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const EPILOGUE = `
Connection: --data-dir <dir> reads <dir>/admin.json (written by \`serve\`); or a profile in the environment:
  ${PROFILE_ENV.url}, ${PROFILE_ENV.tokenFile}, ${PROFILE_ENV.caFile} (flags override them).
${exitCodesHelp()}
Errors print once on stderr: \`error CODE: message\`, or with --json {"error":{"code","message","details"}}.`;

/** Reads and checks a policy file: JSON, then PolicyDocument, then the settings catalog (the error names the setting). */
export async function readPolicyFile(file: string): Promise<PolicyDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AttacheError('SCHEMA_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parsePolicyDocument(data, file);
}

/** Runs the admin CLI with `argv` (without node and script); resolves to the exit code. */
export async function runAdminCli(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = wantsJson(argv);
  const usage: UsageCapture = {};
  const program = new Command('attache-admin')
    .description('Administer an Attaché management endpoint')
    .version(ATTACHE_VERSION)
    .option('--data-dir <dir>', 'data dir of the endpoint (reads admin.json there)')
    .option('--url <url>', `endpoint URL (overrides ${PROFILE_ENV.url} and admin.json)`)
    .option('--token-file <file>', `admin token file (overrides ${PROFILE_ENV.tokenFile} and admin.json)`)
    .option('--ca-file <file>', `CA certificate to pin (overrides ${PROFILE_ENV.caFile} and admin.json)`)
    .option('--json', 'machine-readable JSON output (errors too, on stderr)')
    .addHelpText('after', EPILOGUE)
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // Under --json commander's message becomes the JSON error (printed once, by reportError).
      outputError: (text, write) => {
        if (json) usage.message = text;
        else write(text);
      },
    });

  const flags = () => program.opts<GlobalFlags>();
  const client = async () => new AdminClient(await resolveConnection(flags(), env));
  // Human output is escaped once more at the sink (views escape each value; this catches any sentence that forgot).
  const print = (value: unknown, human: () => string) => io.stdout(flags().json ? `${JSON.stringify(value, null, 2)}\n` : terminalText(human()));
  const hint = (text: string) => {
    if (!flags().json) io.stderr(terminalText(text));
  };
  const resolveGroupId = async (api: AdminClient, nameOrId: string): Promise<string> => {
    const groups = (await api.listGroups()).items;
    const group = groups.find((g) => g.groupId === nameOrId.toLowerCase()) ?? groups.find((g) => g.name === nameOrId);
    if (!group) throw new AttacheError('NOT_FOUND', `no group named or with id "${nameOrId}"`);
    return group.groupId;
  };

  registerOnboardingCommands({ program, client, print, stdout: io.stdout, hint });

  const policy = program.command('policy').description('policies');
  policy
    .command('create')
    .description('create a policy from a policy document (JSON)')
    .requiredOption('--file <file>', 'policy document')
    .action(async (opts: { file: string }) => {
      const doc = await readPolicyFile(opts.file);
      const created = await (await client()).createPolicy(doc);
      print(created, () => policyDetails(created));
    });
  policy
    .command('update <policyId>')
    .description('issue the next version of a policy')
    .requiredOption('--file <file>', 'policy document')
    .action(async (policyId: string, opts: { file: string }) => {
      const doc = await readPolicyFile(opts.file);
      const updated = await (await client()).updatePolicy(policyId, doc);
      print(updated, () => policyDetails(updated));
    });
  policy
    .command('validate <file>')
    .description('check a policy document offline (schema and settings catalog, as the endpoint would); no endpoint needed')
    .action(async (file: string) => {
      const doc = await readPolicyFile(file);
      print(
        { file, valid: true, kind: doc.kind, settings: Object.keys(doc.settings).length },
        () => `${file}: valid ${doc.kind} policy, ${Object.keys(doc.settings).length} settings\n`,
      );
    });
  policy
    .command('list')
    .description('list policies')
    .action(async () => {
      const { items: policies, problems } = await (await client()).listPolicies();
      print({ policies, problems }, () => policiesTable(policies) + intuneSourcesSection(policies.map(importedPolicy)) + problemsFooter(problems));
    });
  policy
    .command('show <policyId>')
    .description('show the latest version of a policy and its assignments')
    .action(async (policyId: string) => {
      const api = await client();
      const found = await api.getPolicy(policyId);
      const listing = await assignmentListing(api, found.policyId);
      print({ ...found, assignments: listing.assignments }, () => `${policyDetails(found)}\nAssignments\n${listing.table()}`);
    });

  const group = program.command('group').description('device groups');
  group
    .command('create <name>')
    .description('create a group')
    .action(async (name: string) => {
      const created = await (await client()).createGroup(name);
      print(created, () => groupsTable([created]));
    });
  group
    .command('list')
    .description('list groups')
    .action(async () => {
      const { items: groups, problems } = await (await client()).listGroups();
      print({ groups, problems }, () => groupsTable(groups) + problemsFooter(problems));
    });
  group
    .command('add-device <group> <deviceId>')
    .description('add a device to a group (by group name or id)')
    .action(async (nameOrId: string, deviceId: string) => {
      const api = await client();
      const groupId = await resolveGroupId(api, nameOrId);
      await api.addGroupMember(groupId, deviceId);
      print({ groupId, deviceId }, () => `device ${deviceId} added to group ${nameOrId}\n`);
    });

  program
    .command('assign <policyId> <group>')
    .description('assign a policy to a group (by group name or id)')
    .option('--exclude', 'exclude the group instead (exclusion wins over inclusion)')
    .action(async (policyId: string, nameOrId: string, opts: { exclude?: boolean }) => {
      const api = await client();
      const assignment = await api.createAssignment(policyId, await resolveGroupId(api, nameOrId), opts.exclude ? 'exclude' : 'include');
      print(assignment, () => `policy ${policyId} assigned to group ${nameOrId} (assignment ${assignment.assignmentId})\n`);
    });

  const device = program.command('device').description('enrolled devices');
  registerConsoleCommands({ program, device, client, print, positiveInt });
  const deviceCommand = (name: string, description: string, run: (api: AdminClient, id: string) => Promise<void>) =>
    device
      .command(`${name} <deviceId>`)
      .description(description)
      .action(async (id: string) => {
        if (!UUID_RE.test(id)) throw new AttacheError('NOT_FOUND', `"${id}" is not a device id`);
        await run(await client(), id.toLowerCase());
      });
  deviceCommand('show', 'show a device', async (api, id) => {
    const found = await api.getDevice(id);
    print(found, () => deviceDetails(found));
  });
  deviceCommand('status', 'per-policy and per-setting status of a device', async (api, id) => {
    const status = await api.getDeviceStatus(id);
    print(status, () => deviceStatusView(status));
  });
  deviceCommand('sync', 'ask a connected device to sync now', async (api, id) => {
    const result = await api.syncDevice(id);
    print(result, () => (result.delivered ? `sync request delivered to ${id}\n` : `device ${id} is not connected; it syncs at its next check-in\n`));
  });
  deviceCommand('revoke', 'revoke a device (its record stays; it is refused with DEVICE_REVOKED and must enroll again)', async (api, id) => {
    await api.revokeDevice(id);
    print({ deviceId: id, revoked: true }, () => `device ${id} revoked\n`);
  });
  deviceCommand('delete', 'delete a device and everything stored about it (the endpoint forgets it: its key can no longer sign)', async (api, id) => {
    await api.deleteDevice(id);
    print({ deviceId: id, deleted: true }, () => `device ${id} deleted\n`);
  });

  registerTargetingCommands({ program, policy, device, group, client, print, resolveGroupId, readPolicyFile });
  registerDirectoryCommands({ program, group, client, print, resolveGroupId, positiveInt });
  const progress = (text: string) => {
    if (!flags().json) io.stdout(terminalText(text));
  };
  registerImportCommand({ policy, client, print, progress });
  registerComplianceCommands({ program, device, client, print, resolveGroupId });
  registerTriageCommands({ program, client, print });
  registerActionCommands({ program, client, print });
  registerTaskCommands({ program, client, print });
  registerKeyCommands({ program, device, client, print });
  registerIdentityCommands({ program, client, print, resolveGroupId });
  registerAuditCommands({ program, client, print, write: io.stdout });
  registerVulnerabilityCommands({ program, device, client, print });
  // Last: the script covers every command registered above.
  program
    .command('completion <shell>')
    .description(`print a shell completion script (${SHELLS.join(', ')}), e.g. \`source <(attache-admin completion bash)\``)
    .action((shell: string) => io.stdout(completionScript(program, shell)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, json, usage, io.stderr);
  }
}
