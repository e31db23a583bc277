// `attache-admin policy import --file <export.json> [--dry-run] [--strict] [--force]`: maps an Intune export (configuration,
// endpoint-security or compliance policy) onto our policies, shows the mapping (before contacting the endpoint), then
// creates the policies — or updates those a previous import of the same Intune policy created.
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { terminalCell } from '../../../common/terminal-text.js';
import { MAX_EXPORT_BYTES, tooLarge } from '../intune-import/graph-export.js';
import { countByReason, type ImportResult, importIntunePolicy } from '../intune-import/import-policy.js';
import type { AdminClient } from './admin-client.js';
import { type ApplyOutcome, applyImport } from './import-apply.js';
import { renderTable, show } from './table.js';

/** What the command needs from cli.ts. */
export interface ImportCommandDeps {
  readonly policy: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  /** Human output written at once (nothing under --json): the mapping, before the endpoint is contacted. */
  readonly progress: (text: string) => void;
}

function reasonsText(result: ImportResult): string {
  return Object.entries(countByReason(result.unmapped))
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
}

/** The mapping: one row per mapped or unmapped setting instance, the totals and what the import produces. */
export function mappingView(result: ImportResult): string {
  const rows = [
    ...result.mapped.map((m) => [m.settingDefinitionId, 'mapped', m.settingId, show(m.value)]),
    ...result.unmapped.map((u) => [u.settingDefinitionId, u.reason, u.settingId ?? '-', u.detail]),
  ];
  const reasons = reasonsText(result);
  const produced = [
    ...result.documents.map((d) => `  ${d.kind}: "${terminalCell(d.name)}" (${count(Object.keys(d.settings).length)})`),
    ...result.compliancePolicies.map((c) => `  compliance: "${terminalCell(c.name)}" (${count(Object.keys(c.settings).length)})`),
  ];
  const s = result.source;
  return [
    `Intune policy "${terminalCell(s.name)}" (${terminalCell(s.id) || 'no id'}, ${terminalCell(s.odataType.replace('#microsoft.graph.', '')) || 'unknown type'})`,
    renderTable(['INTUNE SETTING', 'RESULT', 'SETTING', 'VALUE / REASON'], rows).trimEnd(),
    `mapped ${result.mapped.length}, unmapped ${result.unmapped.length}${reasons ? ` (${reasons})` : ''}`,
    produced.length === 0 ? 'nothing to create' : `produces:\n${produced.join('\n')}`,
    '',
  ].join('\n');
}

const count = (n: number) => `${n} ${n === 1 ? 'setting' : 'settings'}`;

/** What was done (or, on a dry run, would be done) on the endpoint. */
export function outcomeView(result: ImportResult, outcome: ApplyOutcome | undefined): string {
  if (!outcome) {
    return result.documents.length + result.compliancePolicies.length === 0
      ? ''
      : 'dry run: would create these, or update the ones a previous import of this Intune policy created\n';
  }
  const lines = outcome.applied.map(
    (a) =>
      `${a.action} ${a.kind}: "${terminalCell(a.name)}" (${count(a.settings)}) → ${a.kind === 'compliance' ? 'compliance policy' : 'policy'} ${a.id} v${a.version}${a.adopted ? ' (adopted: it had no Intune source; found by its description "Imported from Intune compliance policy <id>.")' : ''}`,
  );
  for (const l of outcome.leftAlone)
    lines.push(`left as is: ${l.kind} policy ${l.policyId} "${terminalCell(l.name)}" (this export no longer has ${l.kind} settings)`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The export's text; its size is checked before it is read (INTUNE_EXPORT_INVALID over MAX_EXPORT_BYTES). */
async function readExportFile(file: string): Promise<string> {
  let size: number;
  let text: string;
  try {
    size = (await stat(file)).size;
    text = size > MAX_EXPORT_BYTES ? '' : await readFile(file, 'utf8');
  } catch (err) {
    throw new AttacheError('INPUT_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (size > MAX_EXPORT_BYTES) throw new AttacheError('INTUNE_EXPORT_INVALID', `${file}: ${tooLarge(size).message}`);
  return text;
}

function importFile(file: string, text: string): ImportResult {
  try {
    return importIntunePolicy(text);
  } catch (err) {
    const e = toAttacheError(err);
    throw new AttacheError(e.code, `${file}: ${e.message}`, { cause: err, details: e.details });
  }
}

/** Adds `policy import` to the CLI. */
export function registerImportCommand(d: ImportCommandDeps): void {
  d.policy
    .command('import')
    .description(
      'import an Intune export (Graph JSON: settings-catalog / endpoint-security policy, or Windows/macOS compliance policy): show the mapping, then create the policies, or update those a previous import of the same Intune policy created',
    )
    .requiredOption('--file <file>', 'Intune export (deviceManagementConfigurationPolicy with settings, or a deviceCompliancePolicy)')
    .option('--dry-run', 'only show the mapping and what would be created')
    .option('--strict', 'create nothing when any setting instance would be dropped (unmapped, whatever the reason)')
    .option('--force', 'on re-import, also overwrite policies edited since the import or whose Intune source differs from the export')
    .action(async (opts: { file: string; dryRun?: boolean; strict?: boolean; force?: boolean }) => {
      const result = importFile(opts.file, await readExportFile(opts.file));
      const dryRun = opts.dryRun === true;
      d.progress(mappingView(result));
      if (opts.strict && result.unmapped.length > 0) {
        throw new AttacheError(
          'IMPORT_INCOMPLETE',
          `--strict: ${result.unmapped.length} of ${result.instances} setting instances would be dropped (${reasonsText(result)}); nothing was created`,
          { details: result.unmapped.map((u) => ({ path: u.settingDefinitionId, message: `${u.reason}: ${u.detail}` })) },
        );
      }
      const nothing = result.documents.length + result.compliancePolicies.length === 0;
      const outcome = dryRun || nothing ? undefined : await applyImport(await d.client(), result, opts.force === true);
      d.print({ ...result, dryRun, strict: opts.strict === true, applied: outcome?.applied ?? [], leftAlone: outcome?.leftAlone ?? [] }, () =>
        outcomeView(result, outcome),
      );
    });
}
