// Admin CLI commands of response actions (issue 17, Defender's machine actions): `action create <type>`, `action list`,
// `action show`, `action cancel` and `action package`. Flags are checked against the same request schema the endpoint
// uses before any request, and a refusal names the option (USAGE_INVALID); what only the endpoint knows (the device,
// an action in flight) comes back as its error.
import type { Static } from '@sinclair/typebox';
import { Argument, type Command, Option } from 'commander';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { ACTION_STATUSES, ACTION_TYPES, ActionRequestBodies, type ActionType, type DeviceListItem } from '../../../policy-schemas/src/index.js';
import { MAX_ACTION_PAGE } from '../service/actions/action-views.js';
import { downloadPackage } from './action-package.js';
import { actionDetails, actionsTable } from './action-views.js';
import type { AdminClient } from './admin-client.js';
import { pageSize } from './audit-commands.js';
import { usage } from './cli-errors.js';
import { allPages } from './console-commands.js';

/** What the commands need from cli.ts. */
export interface ActionCommandDeps {
  readonly program: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
}

/** The flags of `action create` (commander's camelCase names). */
export interface CreateFlags {
  readonly device: string;
  readonly comment: string;
  readonly isolationType?: string;
  readonly scanType?: string;
  readonly sha256?: string;
  readonly path?: string;
  readonly quarantineId?: string;
  /** updateSoftware: `name` or `name=fixedVersion`, repeatable. */
  readonly package?: readonly string[];
}

type ParameterFlag = 'isolationType' | 'scanType' | 'sha256' | 'path' | 'quarantineId';

/** Each parameter option: its name on the command line and the types it applies to (the body field has the flag's name). */
const PARAMETER_FLAGS: Readonly<Record<ParameterFlag, { readonly option: string; readonly types: readonly ActionType[]; readonly shape?: string }>> = {
  isolationType: { option: '--isolation-type', types: ['isolate'] },
  scanType: { option: '--scan-type', types: ['runAntivirusScan'] },
  sha256: { option: '--sha256', types: ['stopAndQuarantineFile'], shape: 'must be a SHA-256: 64 hex digits' },
  path: { option: '--path', types: ['stopAndQuarantineFile'], shape: 'must be an absolute path (/…, C:\\… or \\\\server\\…)' },
  quarantineId: {
    option: '--quarantine-id',
    types: ['restoreFromQuarantine'],
    shape: 'must be 1 to 64 letters, digits or "-" (as the stopAndQuarantineFile result names it)',
  },
};

/** The options a type cannot do without (the endpoint's schema requires the field). */
const REQUIRED: Readonly<Partial<Record<ActionType, readonly ParameterFlag[]>>> = {
  stopAndQuarantineFile: ['sha256'],
  restoreFromQuarantine: ['quarantineId'],
};

const FIELD_OPTIONS: Readonly<Record<string, { readonly option: string; readonly shape?: string }>> = {
  comment: { option: '--comment' },
  packages: { option: '--package' },
  ...PARAMETER_FLAGS,
};

/** `--package name[=fixedVersion]` → one package of an updateSoftware request (the first `=` separates the version). */
function packageOf(value: string): { name: string; fixedVersion?: string } {
  const at = value.indexOf('=');
  if (at < 0) return { name: value };
  if (at === 0 || at === value.length - 1) throw usage(`--package "${value}": give name or name=fixedVersion`);
  return { name: value.slice(0, at), fixedVersion: value.slice(at + 1) };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The request body of `action create <type>` from its flags: an option of another type, a missing required option or a
 * value the request schema refuses is USAGE_INVALID naming the option. `--sha256` is accepted in either case.
 */
export function actionRequestFromFlags<T extends ActionType>(type: T, flags: CreateFlags): Static<(typeof ActionRequestBodies)[T]> {
  const body: Record<string, unknown> = { comment: flags.comment };
  for (const [field, p] of Object.entries(PARAMETER_FLAGS) as [ParameterFlag, (typeof PARAMETER_FLAGS)[ParameterFlag]][]) {
    const value = flags[field];
    if (value === undefined) continue;
    if (!p.types.includes(type)) throw usage(`${p.option} applies only to ${p.types.join(', ')}, not to ${type}`);
    body[field] = field === 'sha256' ? value.toLowerCase() : value;
  }
  if (flags.package && flags.package.length > 0) {
    if (type !== 'updateSoftware') throw usage(`--package applies only to updateSoftware, not to ${type}`);
    body.packages = flags.package.map(packageOf);
  } else if (type === 'updateSoftware') throw usage('updateSoftware needs --package (one per package, name or name=fixedVersion)');
  for (const field of REQUIRED[type] ?? []) {
    if (body[field] === undefined) throw usage(`${type} needs ${PARAMETER_FLAGS[field].option}`);
  }
  try {
    return validate(ActionRequestBodies[type], body, `${type} request`);
  } catch (err) {
    const detail = err instanceof AttacheError ? err.details[0] : undefined;
    const field = detail?.path.split('/')[1] ?? '';
    const known = FIELD_OPTIONS[field];
    if (!detail || !known) throw err;
    // A pattern's source says little to a reader: the option's shape in words instead.
    throw usage(`${known.option} ${known.shape && detail.message.startsWith('must match pattern') ? known.shape : detail.message}`);
  }
}

/** A device id, or the id of the one device with this hostname (the device list's search, then an exact match). */
export async function resolveDevice(api: AdminClient, value: string): Promise<string> {
  if (UUID_RE.test(value)) return value.toLowerCase();
  // The search matches substrings (and tags): every page of it, so an exact hostname is found behind many partial ones.
  const { devices } = await allPages<DeviceListItem>((page) => api.listDevicePage({ search: value, ...page }), undefined);
  const matches = devices.filter((d) => d.hostname.toLowerCase() === value.toLowerCase());
  if (matches.length === 1) return (matches[0] as (typeof matches)[number]).deviceId;
  if (matches.length === 0) throw new AttacheError('NOT_FOUND', `--device: no device has the id or hostname "${value}"`);
  throw usage(`--device: ${matches.length} devices have the hostname "${value}" (${matches.map((d) => d.deviceId).join(', ')}); give the device id`);
}

interface ListFlags {
  readonly device?: string;
  readonly type?: string;
  readonly status?: string;
  readonly requestor?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** Registers `action create|list|show|cancel|package` on the program. */
export function registerActionCommands(d: ActionCommandDeps): void {
  const action = d.program.command('action').description("response actions on devices (Defender's machine actions) and the action center");
  action
    .command('create')
    .description('ask a device to isolate, release, scan, collect an investigation package, quarantine or restore a file, offboard, or update software')
    .addArgument(new Argument('<type>', 'the action').choices(ACTION_TYPES))
    .requiredOption('--device <id|hostname>', 'the device (its id, or a hostname only one device has)')
    .requiredOption('--comment <text>', 'why (required, as in Defender; shown in the action center and on the device)')
    .addOption(new Option('--isolation-type <type>', 'isolate: full (default) or selective').choices(['full', 'selective']))
    .addOption(new Option('--scan-type <type>', 'runAntivirusScan: quick (default) or full').choices(['quick', 'full']))
    .option('--sha256 <hex>', "stopAndQuarantineFile: the file's SHA-256")
    .option('--path <abs>', 'stopAndQuarantineFile: where the file is (absolute; default: the executables of running processes)')
    .option('--quarantine-id <id>', 'restoreFromQuarantine: the quarantine id of the file (from the stopAndQuarantineFile result)')
    .option(
      '--package <name[=fixedVersion]>',
      "updateSoftware: a package of the device's last software upload (a dpkg source package stands for its binaries); repeatable",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (type: ActionType, flags: CreateFlags) => {
      const body = actionRequestFromFlags(type, flags);
      const api = await d.client();
      const created = await api.createAction(await resolveDevice(api, flags.device), type, body);
      d.print(created, () => actionDetails(created));
    });
  action
    .command('list')
    .description('the action center: actions newest first, filtered by device, type, status and requestor')
    .option('--device <id|hostname>', 'actions of this device')
    .addOption(new Option('--type <type>', 'actions of this type').choices(ACTION_TYPES))
    .addOption(new Option('--status <status>', 'actions in this status').choices(ACTION_STATUSES))
    .option('--requestor <username>', 'actions this admin asked for')
    .option('--limit <n>', `actions per page (1-${MAX_ACTION_PAGE}, default 50)`, pageSize(MAX_ACTION_PAGE))
    .option('--cursor <cursor>', 'continue after a previous page (its "more: --cursor" value)')
    .action(async (flags: ListFlags) => {
      const api = await d.client();
      const deviceId = flags.device === undefined ? undefined : await resolveDevice(api, flags.device);
      const page = await api.listActions({
        deviceId,
        type: flags.type,
        status: flags.status,
        requestor: flags.requestor,
        limit: flags.limit,
        cursor: flags.cursor,
      });
      d.print(page, () => actionsTable(page.actions, page.nextCursor));
    });
  action
    .command('show <actionId>')
    .description('one action: status, requestor, comment, delivered/started/completed, progress, result, cancellation')
    .action(async (actionId: string) => {
      const found = await (await d.client()).getAction(actionId);
      d.print(found, () => actionDetails(found));
    });
  action
    .command('cancel <actionId>')
    .description('cancel a pending action, or a running scan or package collection (others cannot stop half-way)')
    .requiredOption('--comment <text>', 'why (required)')
    .action(async (actionId: string, flags: { comment: string }) => {
      const cancelled = await (await d.client()).cancelAction(actionId, flags.comment);
      d.print(cancelled, () => actionDetails(cancelled));
    });
  action
    .command('package <actionId>')
    .description("download a collectInvestigationPackage action's .tar.gz to a 0600 file, verifying its SHA-256")
    .requiredOption('--out <file>', 'where to write it (kept only when the SHA-256 matches)')
    .action(async (actionId: string, flags: { out: string }) => {
      const saved = await downloadPackage(await d.client(), actionId, flags.out);
      d.print(saved, () => `package of action ${saved.actionId} saved to ${saved.file} (${saved.sizeBytes} bytes, SHA-256 ${saved.sha256} verified)\n`);
    });
}
