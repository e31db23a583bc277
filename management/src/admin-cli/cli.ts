// The admin CLI `attache-admin`: commands over the admin API. Policy files are checked locally against the schema and
// the settings catalog before any request. Errors print `error CODE: message` (+ details) on stderr and exit 1.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { terminalCell, terminalText } from '../../../common/terminal-text.js';
import { ATTACHE_VERSION } from '../../../common/version.js';
import type { PolicyDocument } from '../../../policy-schemas/src/index.js';
import { parsePolicyDocument } from '../service/policies.js';
import { AdminClient } from './admin-client.js';
import { registerComplianceCommands } from './compliance-commands.js';
import { type ConnectionFlags, resolveConnection } from './connection.js';
import { registerConsoleCommands } from './console-commands.js';
import { registerImportCommand } from './import-command.js';
import { registerKeyCommands } from './key-commands.js';
import { registerTargetingCommands } from './targeting-commands.js';
import { deviceDetails, deviceStatusView, groupsTable, onboardingSummary, policiesTable, policyDetails, problemsFooter } from './views.js';

/** Where the CLI writes (the process streams, or buffers in tests). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface GlobalFlags extends ConnectionFlags {
  readonly json?: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

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
export async function runAdminCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('attache-admin')
    .description('Administer an Attaché management endpoint')
    .version(ATTACHE_VERSION)
    .option('--data-dir <dir>', 'data dir of the endpoint (reads admin.json there)')
    .option('--url <url>', 'endpoint URL (overrides admin.json)')
    .option('--token-file <file>', 'admin token file (overrides admin.json)')
    .option('--ca-file <file>', 'CA certificate to pin (overrides admin.json)')
    .option('--json', 'machine-readable JSON output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const flags = () => program.opts<GlobalFlags>();
  const client = async () => new AdminClient(await resolveConnection(flags()));
  // Human output is escaped once more at the sink (views escape each value; this catches any sentence that forgot).
  const print = (value: unknown, human: () => string) => io.stdout(flags().json ? `${JSON.stringify(value, null, 2)}\n` : terminalText(human()));
  const resolveGroupId = async (api: AdminClient, nameOrId: string): Promise<string> => {
    const groups = (await api.listGroups()).items;
    const group = groups.find((g) => g.groupId === nameOrId.toLowerCase()) ?? groups.find((g) => g.name === nameOrId);
    if (!group) throw new AttacheError('NOT_FOUND', `no group named or with id "${nameOrId}"`);
    return group.groupId;
  };

  const onboarding = program.command('onboarding').description('onboarding packages (enrollment tokens)');
  onboarding
    .command('create')
    .description('create an onboarding package (the only time its token is shown)')
    .option('--expires-in-minutes <n>', 'token lifetime in minutes (default 1440)', positiveInt)
    .option('--max-uses <n>', 'devices that may enroll with it (default 1)', positiveInt)
    .option('--description <text>', 'note stored with the token')
    .option('--out <file>', 'write the package to this file (mode 0600) instead of stdout')
    .action(async (opts: { expiresInMinutes?: number; maxUses?: number; description?: string; out?: string }) => {
      const pkg = await (await client()).createOnboardingPackage({
        ...(opts.expiresInMinutes === undefined ? {} : { expiresInMinutes: opts.expiresInMinutes }),
        ...(opts.maxUses === undefined ? {} : { maxUses: opts.maxUses }),
        ...(opts.description === undefined ? {} : { description: opts.description }),
      });
      if (!opts.out) return io.stdout(`${JSON.stringify(pkg, null, 2)}\n`);
      await writeFile(opts.out, `${JSON.stringify(pkg, null, 2)}\n`, { mode: 0o600 });
      await chmod(opts.out, 0o600);
      print(
        {
          file: opts.out,
          endpointUrl: pkg.endpointUrl,
          alternateEndpointUrls: pkg.alternateEndpointUrls ?? [],
          tenantId: pkg.tenantId,
          caPin: pkg.caPin,
          expiresAt: pkg.expiresAt,
        },
        () => onboardingSummary(pkg, opts.out ?? ''),
      );
    });

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
    .command('list')
    .description('list policies')
    .action(async () => {
      const { items: policies, problems } = await (await client()).listPolicies();
      print({ policies, problems }, () => policiesTable(policies) + problemsFooter(problems));
    });
  policy
    .command('show <policyId>')
    .description('show the latest version of a policy')
    .action(async (policyId: string) => {
      const found = await (await client()).getPolicy(policyId);
      print(found, () => policyDetails(found));
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
  deviceCommand('revoke', 'revoke a device (it must enroll again)', async (api, id) => {
    await api.revokeDevice(id);
    print({ deviceId: id, revoked: true }, () => `device ${id} revoked\n`);
  });

  registerTargetingCommands({ program, policy, device, group, client, print, resolveGroupId, readPolicyFile });
  registerImportCommand({ policy, client, print });
  registerComplianceCommands({ program, device, client, print, resolveGroupId });
  registerKeyCommands({ program, device, client, print });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const e = toAttacheError(err);
    io.stderr(`error ${e.code}: ${terminalCell(e.message)}\n`);
    for (const d of e.details) io.stderr(`  ${terminalCell(d.path)}: ${terminalCell(d.message)}\n`);
    return 1;
  }
}
