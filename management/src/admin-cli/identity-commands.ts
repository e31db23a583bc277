// Admin CLI commands of admin identity (issue 15): `admin list|show|create|update|delete|set-password`,
// `token list|create|revoke` (personal API tokens), `role list`, `whoami`. Passwords are read from a file or stdin,
// never from the command line (other users can read a process's arguments).
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { AttacheError } from '../../../common/errors.js';
import type { AdminAccount, AdminMe, AdminRoleInfo, ApiToken } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';
import { renderFields, renderTable } from './table.js';

/** What the commands need from cli.ts. */
export interface IdentityCommandDeps {
  readonly program: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  readonly resolveGroupId: (api: AdminClient, nameOrId: string) => Promise<string>;
  /** Reads all of stdin (for `--password-file -`); default: the process's stdin. */
  readonly readStdin?: () => Promise<string>;
}

const ROLE_CHOICES = ['administrator', 'endpointSecurityManager', 'helpDeskOperator', 'readOnlyOperator'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function adminsTable(admins: readonly AdminAccount[]): string {
  return renderTable(
    ['ADMIN ID', 'USERNAME', 'DISPLAY NAME', 'ROLE', 'SCOPE', 'STATE'],
    admins.map((a) => [a.adminId, a.username, a.displayName, a.role, a.scopeGroupIds ? a.scopeGroupIds.join(',') : 'all devices', stateOf(a)]),
  );
}

function stateOf(a: AdminAccount): string {
  if (a.disabled) return 'disabled';
  return a.lockedUntil ? `locked until ${a.lockedUntil}` : 'active';
}

function adminDetails(a: AdminAccount | AdminMe): string {
  return renderFields([
    ['admin id', a.adminId],
    ['username', a.username],
    ['display name', a.displayName],
    ['role', a.role],
    ['scope', a.scopeGroupIds ? a.scopeGroupIds.join(', ') : 'all devices'],
    ['state', stateOf(a)],
    ['created', a.createdAt],
    ...('permissions' in a ? ([['authenticated by', a.authMethod] as const, ['permissions', a.permissions.join(', ')] as const] as const) : []),
  ]);
}

function tokensTable(tokens: readonly ApiToken[]): string {
  return renderTable(
    ['TOKEN ID', 'NAME', 'ADMIN ID', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
    tokens.map((x) => [x.tokenId, x.name, x.adminId, x.createdAt, x.expiresAt, x.lastUsedAt ?? 'never', x.revokedAt ?? '-']),
  );
}

function rolesTable(roles: readonly AdminRoleInfo[]): string {
  return roles.map((r) => `${r.displayName} (${r.role})\n  ${r.description}\n  permissions: ${r.permissions.join(', ')}\n`).join('\n');
}

function positiveDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 365) throw new InvalidArgumentError(`expected whole days from 1 to 365, got "${value}"`);
  return n;
}

async function processStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A password from a file (first line) or stdin (`-`). */
async function readPassword(d: IdentityCommandDeps, file: string): Promise<string> {
  let text: string;
  try {
    text = file === '-' ? await (d.readStdin ?? processStdin)() : await readFile(file, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read a password from ${file === '-' ? 'stdin' : file}: ${(err as Error).message}`, { cause: err });
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** An admin id from an id or a username (case-insensitive). */
async function resolveAdminId(api: AdminClient, idOrName: string): Promise<string> {
  if (UUID_RE.test(idOrName)) return idOrName.toLowerCase();
  const self = await api.whoami();
  if (self.username.toLowerCase() === idOrName.toLowerCase()) return self.adminId;
  const found = (await api.listAdmins()).find((a) => a.username.toLowerCase() === idOrName.toLowerCase());
  if (!found) throw new AttacheError('NOT_FOUND', `no admin named "${idOrName}"`);
  return found.adminId;
}

async function scopeIds(d: IdentityCommandDeps, api: AdminClient, groups: string[] | undefined): Promise<string[] | undefined> {
  if (groups === undefined) return undefined;
  return Promise.all(groups.map((g) => d.resolveGroupId(api, g)));
}

function registerAdminCommands(d: IdentityCommandDeps): void {
  const admin = d.program.command('admin').description('admin accounts (Administrator role)');
  admin
    .command('list')
    .description('list admin accounts')
    .action(async () => {
      const admins = await (await d.client()).listAdmins();
      d.print({ admins }, () => adminsTable(admins));
    });
  admin
    .command('show <admin>')
    .description('show an admin account (by id or username)')
    .action(async (idOrName: string) => {
      const api = await d.client();
      const found = await api.getAdmin(await resolveAdminId(api, idOrName));
      d.print(found, () => adminDetails(found));
    });
  admin
    .command('create <username>')
    .description('create an admin account')
    .addOption(new Option('--role <role>', 'built-in role').choices(ROLE_CHOICES).makeOptionMandatory())
    .requiredOption('--password-file <file>', 'file whose first line is the password (at least 12 characters), or - for stdin')
    .option('--display-name <name>', 'name shown in the console')
    .option('--scope-group <group...>', 'scope the admin to these device groups (names or ids)')
    .action(async (username: string, opts: { role: string; passwordFile: string; displayName?: string; scopeGroup?: string[] }) => {
      const api = await d.client();
      const scope = await scopeIds(d, api, opts.scopeGroup);
      const created = await api.createAdmin({
        username,
        role: opts.role as AdminAccount['role'],
        password: await readPassword(d, opts.passwordFile),
        ...(opts.displayName === undefined ? {} : { displayName: opts.displayName }),
        ...(scope === undefined ? {} : { scopeGroupIds: scope }),
      });
      d.print(created, () => adminDetails(created));
    });
  admin
    .command('update <admin>')
    .description('change the role, display name, scope or state of an admin account')
    .addOption(new Option('--role <role>', 'built-in role').choices(ROLE_CHOICES))
    .option('--display-name <name>', 'name shown in the console')
    .option('--scope-group <group...>', 'scope the admin to these device groups (names or ids)')
    .option('--all-devices', 'remove the scope: the admin sees every device')
    .option('--disable', 'disable the account (its sessions end, its tokens stop working)')
    .option('--enable', 'enable (and unlock) the account')
    .action(
      async (
        idOrName: string,
        opts: { role?: string; displayName?: string; scopeGroup?: string[]; allDevices?: boolean; disable?: boolean; enable?: boolean },
      ) => {
        if (opts.disable && opts.enable) throw new AttacheError('CONFIG_INVALID', '--disable and --enable exclude each other');
        if (opts.scopeGroup && opts.allDevices) throw new AttacheError('CONFIG_INVALID', '--scope-group and --all-devices exclude each other');
        const api = await d.client();
        const scope = opts.allDevices ? null : await scopeIds(d, api, opts.scopeGroup);
        const updated = await api.updateAdmin(await resolveAdminId(api, idOrName), {
          ...(opts.role === undefined ? {} : { role: opts.role as AdminAccount['role'] }),
          ...(opts.displayName === undefined ? {} : { displayName: opts.displayName }),
          ...(scope === undefined ? {} : { scopeGroupIds: scope }),
          ...(opts.disable ? { disabled: true } : opts.enable ? { disabled: false } : {}),
        });
        d.print(updated, () => adminDetails(updated));
      },
    );
  admin
    .command('delete <admin>')
    .description('delete an admin account with its API tokens and sessions')
    .action(async (idOrName: string) => {
      const api = await d.client();
      const adminId = await resolveAdminId(api, idOrName);
      await api.deleteAdmin(adminId);
      d.print({ adminId, deleted: true }, () => `admin ${idOrName} deleted\n`);
    });
  admin
    .command('set-password <admin>')
    .description("set an admin's password (your own needs --current-password-file); unlocks it and ends its sessions")
    .requiredOption('--password-file <file>', 'file whose first line is the new password, or - for stdin')
    .option('--current-password-file <file>', 'file whose first line is your current password (changing your own)')
    .action(async (idOrName: string, opts: { passwordFile: string; currentPasswordFile?: string }) => {
      const api = await d.client();
      const adminId = await resolveAdminId(api, idOrName);
      const current = opts.currentPasswordFile === undefined ? undefined : await readPassword(d, opts.currentPasswordFile);
      await api.setAdminPassword(adminId, await readPassword(d, opts.passwordFile), current);
      d.print({ adminId, passwordSet: true }, () => `password of ${idOrName} set\n`);
    });
}

function registerTokenCommands(d: IdentityCommandDeps): void {
  const token = d.program.command('token').description('your personal API tokens (an Administrator sees everyone’s)');
  token
    .command('list')
    .description('list API tokens with their last use')
    .action(async () => {
      const tokens = await (await d.client()).listApiTokens();
      d.print({ apiTokens: tokens }, () => tokensTable(tokens));
    });
  token
    .command('create')
    .description('create an API token for yourself (the only time it is shown)')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-in-days <days>', 'lifetime, 1–365 days (default 90)', positiveDays)
    .action(async (opts: { name: string; expiresInDays?: number }) => {
      const created = await (await d.client()).createApiToken(opts.name, opts.expiresInDays);
      d.print(
        created,
        () => `token id: ${created.tokenId}\nexpires:  ${created.expiresAt}\ntoken:    ${created.token}\n(store it now: it is not shown again)\n`,
      );
    });
  token
    .command('revoke <tokenId>')
    .description('revoke an API token at once')
    .action(async (tokenId: string) => {
      await (await d.client()).revokeApiToken(tokenId);
      d.print({ tokenId, revoked: true }, () => `API token ${tokenId} revoked\n`);
    });
}

/** Adds the identity commands to the CLI. */
export function registerIdentityCommands(d: IdentityCommandDeps): void {
  registerAdminCommands(d);
  registerTokenCommands(d);
  d.program
    .command('role')
    .description('built-in admin roles')
    .command('list')
    .description('list the roles with their permissions')
    .action(async () => {
      const roles = await (await d.client()).listRoles();
      d.print({ roles }, () => rolesTable(roles));
    });
  d.program
    .command('whoami')
    .description('the admin account this CLI authenticates as, its role and permissions')
    .action(async () => {
      const me = await (await d.client()).whoami();
      d.print(me, () => adminDetails(me));
    });
}
