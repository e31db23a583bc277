// Admin CLI commands of the audit log: `audit list` (filters, paging), `audit export` (JSON lines or CSV, to a file or
// stdout) and `audit verify` (the endpoint walks the hash chain; a broken chain exits non-zero). Registered by cli.ts.
import { open, readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { systemClock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { AuditEntry, type AuditQuery, type AuditVerification } from '../../../policy-schemas/src/index.js';
import { auditVerificationOf, verifyAuditEntries } from '../store/audit-chain.js';
import type { AdminClient } from './admin-client.js';
import { renderFields, renderTable, withNextCursor } from './table.js';

/** What the commands need from cli.ts. */
export interface AuditCommandDeps {
  readonly program: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  /** Raw output (the export written to stdout). */
  readonly write: (text: string) => void;
  /** Now, for relative times (`--since 24h`). */
  readonly now?: () => number;
}

interface FilterFlags {
  readonly since?: string;
  readonly until?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`/`--until`: an RFC 3339 time, or a duration back from now (`30m`, `24h`, `7d`). */
export function parseAuditTime(value: string, now: number): string {
  const relative = /^([0-9]{1,6})([mhd])$/.exec(value);
  if (relative) return isoTime(now - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'm'] ?? 0));
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(`"${value}" is neither an RFC 3339 time (2026-01-31T09:00:00Z) nor a duration like 30m, 24h or 7d`);
  }
  return isoTime(Date.parse(value));
}

/** `--target`: `type:id`, a type (`policy`) or an id (a UUID). */
export function parseAuditTarget(value: string): Pick<AuditQuery, 'targetType' | 'targetId'> {
  const colon = value.indexOf(':');
  if (colon > 0) return { targetType: value.slice(0, colon), ...(colon < value.length - 1 ? { targetId: value.slice(colon + 1) } : {}) };
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value) ? { targetId: value.toLowerCase() } : { targetType: value };
}

// since/until were parsed by the options' parsers (parseAuditTime): commander prints their errors as usage errors.
function queryOf(flags: FilterFlags): AuditQuery {
  return {
    ...(flags.since === undefined ? {} : { from: flags.since }),
    ...(flags.until === undefined ? {} : { to: flags.until }),
    ...(flags.actor === undefined ? {} : { actor: flags.actor }),
    ...(flags.action === undefined ? {} : { action: flags.action }),
    ...(flags.target === undefined ? {} : parseAuditTarget(flags.target)),
  };
}

function withFilters(command: Command, now: () => number): Command {
  const time = (value: string) => parseAuditTime(value, now());
  return command
    .option('--since <time>', 'entries at or after this time (RFC 3339, or 30m / 24h / 7d ago)', time)
    .option('--until <time>', 'entries at or before this time (RFC 3339, or 30m / 24h / 7d ago)', time)
    .option('--actor <admin>', 'admin id or username')
    .option('--action <action>', 'exact action (policy.update) or a prefix ending in "." (policy.)')
    .option('--target <target>', 'type:id, a type (policy) or an id');
}

/** The parser of a `--limit` of 1 to `max` (the endpoint's largest page: 500 for the audit log, 200 for actions). */
export function pageSize(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
    return n;
  };
}

/** The entries as a table (every cell through terminalCell: targets and actors are admin-supplied text). */
export function auditTable(entries: readonly AuditEntry[]): string {
  return renderTable(
    ['SEQ', 'AT', 'ACTOR', 'ROLE', 'SOURCE', 'ACTION', 'TARGET', 'OUTCOME'],
    entries.map((e) => [
      String(e.seq),
      e.at,
      e.actor?.username ?? '(anonymous)',
      e.actor?.role ?? '-',
      e.sourceAddress ?? '-',
      e.action,
      e.target ? `${e.target.type}${e.target.id === null ? '' : `:${e.target.id}`}` : '-',
      e.outcome === 'success' ? 'success' : `failure ${e.errorCode ?? ''}`.trimEnd(),
    ]),
  );
}

function verificationView(v: AuditVerification): string {
  return renderFields([
    ['chain', v.ok ? 'intact' : `BROKEN at entry ${v.firstBrokenSeq}`],
    ...(v.problem ? [['problem', v.problem] as const] : []),
    ['entries verified', String(v.entries)],
    ['head', v.headSeq === undefined ? '(empty log)' : `${v.headSeq} ${v.headHash}`],
  ]);
}

/** Verifies a JSON lines export offline (store/audit-chain.ts), answering as the endpoint's verify does. */
export async function verifyExportFile(file: string): Promise<AuditVerification> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const entries = text
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, n }) => validate(AuditEntry, parseJsonText(line, `${file} line ${n}`, 'SCHEMA_INVALID'), `${file} line ${n}`));
  return auditVerificationOf(verifyAuditEntries(entries));
}

/** Registers `audit list|export|verify` on the program. */
export function registerAuditCommands(d: AuditCommandDeps): void {
  const now = d.now ?? (() => systemClock.now());
  const audit = d.program.command('audit').description('the admin audit log (who changed what, when)');
  withFilters(audit.command('list').description('audit entries, newest first'), now)
    .option('--limit <n>', 'entries per page (1-500)', pageSize(500), 50)
    .option('--cursor <cursor>', 'continue after a previous page (its "next page" cursor)')
    .action(async (flags: FilterFlags & { limit: number; cursor?: string }) => {
      const page = await (await d.client()).listAudit({ ...queryOf(flags), limit: flags.limit, ...(flags.cursor ? { cursor: flags.cursor } : {}) });
      d.print(page, () => withNextCursor(auditTable(page.entries), page.nextCursor));
    });
  withFilters(audit.command('export').description('every matching entry, newest first, as JSON lines or CSV'), now)
    .addOption(new Option('--format <format>', 'jsonl (verifiable) or csv (spreadsheets)').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to this file (0600, also when it exists) instead of stdout')
    .action(async (flags: FilterFlags & { format: 'jsonl' | 'csv'; out?: string }) => {
      const body = await (await d.client()).exportAudit({ ...queryOf(flags), format: flags.format });
      if (flags.out) {
        // The mode of open() applies only to a new file: an existing one is made 0600 through its descriptor first.
        const file = await open(flags.out, 'w', 0o600);
        try {
          await file.chmod(0o600);
        } catch (err) {
          await file.close();
          throw err;
        }
        await pipeline(body, file.createWriteStream());
        return;
      }
      // The export goes out as the endpoint wrote it (--json changes nothing): JSON lines and CSV are escaped formats.
      for await (const chunk of body) d.write((chunk as Buffer).toString('utf8'));
    });
  audit
    .command('verify')
    .description('walk the hash chain; exits non-zero and names the first broken entry when it does not verify')
    .option('--file <export.jsonl>', 'verify an unfiltered JSON lines export here, without asking the endpoint')
    .action(async (flags: { file?: string }) => {
      const result = flags.file ? await verifyExportFile(flags.file) : await (await d.client()).verifyAudit();
      d.print(result, () => verificationView(result));
      if (!result.ok) {
        throw new AttacheError('AUDIT_CHAIN_BROKEN', `the audit chain is broken at entry ${result.firstBrokenSeq}: ${result.problem ?? 'unknown problem'}`);
      }
    });
}
