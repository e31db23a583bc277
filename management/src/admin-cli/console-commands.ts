// Admin CLI commands over the console's read API: `device list` with search, filters, sort and paging (all pages by
// default, at most --limit devices otherwise) and `dashboard` (device counts). Registered by cli.ts; allPages also
// serves `group preview-rule`.
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  COMPLIANCE_STATES,
  DEVICE_POLICY_STATES,
  DEVICE_SORT_FIELDS,
  type DeviceListItem,
  PLATFORMS,
  RISK_LEVELS,
  type StoreProblem,
} from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';
import { dashboardView, deviceItemsTable } from './console-views.js';
import { devicesTable, problemsFooter } from './views.js';

/** What the commands need from cli.ts. */
export interface ConsoleCommandDeps {
  readonly program: Command;
  readonly device: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  /** cli.ts's parser of positive integer option values. */
  readonly positiveInt: (value: string) => number;
}

interface ListFlags {
  readonly search?: string;
  readonly platform?: string;
  readonly compliance?: string;
  readonly risk?: string;
  readonly status?: string;
  readonly connected?: boolean;
  readonly sort?: string;
  readonly order?: string;
  readonly limit?: number;
}

// The endpoint's largest page; the CLI asks for full pages until it has all (or --limit) devices.
const PAGE = 500;

/** The query string of the flags (undefined values left out). */
export function deviceListQuery(flags: ListFlags): Record<string, string> {
  const query: Record<string, string | undefined> = {
    search: flags.search,
    platform: flags.platform,
    complianceState: flags.compliance,
    riskLevel: flags.risk,
    policyStatus: flags.status,
    connected: flags.connected === undefined ? undefined : String(flags.connected),
    sort: flags.sort,
    order: flags.order,
  };
  return Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
}

/** One page of a paged device answer (the device list, the group rule preview). */
interface DevicePageOf<T> {
  readonly devices: readonly T[];
  readonly problems: readonly StoreProblem[];
  readonly total: number;
  readonly nextCursor: string | null;
}

/** Every page (or the first `limit` devices) of a paged device answer; `fetch` asks for one page (query values). */
export async function allPages<T>(fetch: (page: Record<string, string>) => Promise<DevicePageOf<T>>, limit: number | undefined) {
  const devices: T[] = [];
  const problems: StoreProblem[] = [];
  let cursor: string | null = null;
  let total = 0;
  do {
    const size = Math.min(PAGE, (limit ?? Number.POSITIVE_INFINITY) - devices.length);
    const page: DevicePageOf<T> = await fetch({ limit: String(size), ...(cursor ? { cursor } : {}) });
    devices.push(...page.devices);
    problems.push(...page.problems);
    total = page.total;
    cursor = page.nextCursor;
  } while (cursor && (limit === undefined || devices.length < limit));
  return { devices, problems, total };
}

/** `device list`: without flags the endpoint's plain listing (older endpoints answer it too), else paged. */
export function registerConsoleCommands(d: ConsoleCommandDeps): void {
  d.device
    .command('list')
    .description('list devices (with flags: filtered and sorted by the endpoint, every page unless --limit)')
    .option('--search <text>', 'hostname, device id or tag contains this text (case-insensitive)')
    .addOption(new Option('--platform <platform>', 'only this platform').choices(PLATFORMS))
    .addOption(new Option('--compliance <state>', 'only this compliance state').choices(COMPLIANCE_STATES))
    .addOption(new Option('--risk <level>', 'only this risk level').choices(RISK_LEVELS))
    .addOption(new Option('--status <state>', 'only this overall policy state').choices(DEVICE_POLICY_STATES))
    .option('--connected', 'only devices with an open push channel')
    .option('--disconnected', 'only devices without an open push channel')
    .addOption(new Option('--sort <field>', 'sort by').choices(DEVICE_SORT_FIELDS))
    .addOption(new Option('--order <order>', 'sort order').choices(['asc', 'desc']))
    .option('--limit <n>', 'at most this many devices', d.positiveInt)
    .action(async (opts: ListFlags & { disconnected?: boolean }) => {
      const api = await d.client();
      if (opts.connected && opts.disconnected) throw new InvalidArgumentError('--connected and --disconnected exclude each other');
      const flags: ListFlags = { ...opts, ...(opts.disconnected ? { connected: false } : {}) };
      const query = deviceListQuery(flags);
      if (Object.keys(query).length === 0 && flags.limit === undefined) {
        const { items: devices, problems } = await api.listDevices();
        d.print({ devices, problems }, () => devicesTable(devices) + problemsFooter(problems));
        return;
      }
      const result = await allPages<DeviceListItem>((page) => api.listDevicePage({ ...query, ...page }), flags.limit);
      d.print(result, () => {
        const more = result.total > result.devices.length ? `${result.devices.length} of ${result.total} devices shown\n` : '';
        return deviceItemsTable(result.devices) + more + problemsFooter(result.problems);
      });
    });
  d.program
    .command('dashboard')
    .description('device counts: compliance, risk, platform, last check-in, policy status')
    .action(async () => {
      const dashboard = await (await d.client()).getDashboard();
      d.print(dashboard, () => dashboardView(dashboard));
    });
}
