// `attache-admin policy import --file <export.json> [--dry-run]`: maps an Intune policy export onto our policy kinds,
// prints what was mapped and what was not (with reasons), and unless --dry-run creates the policies.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { terminalCell } from '../../../common/terminal-text.js';
import type { PolicySummary } from '../../../policy-schemas/src/index.js';
import { countByReason, type ImportResult, importIntunePolicy } from '../intune-import/import-policy.js';
import type { AdminClient } from './admin-client.js';
import { renderTable, show } from './table.js';

/** What the command needs from cli.ts. */
export interface ImportCommandDeps {
  readonly policy: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
}

/** The human view: one row per mapped or unmapped setting instance, then the totals and documents. */
export function importView(result: ImportResult, created: readonly PolicySummary[], dryRun: boolean): string {
  const rows = [
    ...result.mapped.map((m) => [m.settingDefinitionId, 'mapped', m.settingId, show(m.value)]),
    ...result.unmapped.map((u) => [u.settingDefinitionId, u.reason, u.settingId ?? '-', u.detail]),
  ];
  const reasons = Object.entries(countByReason(result.unmapped))
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const docs = result.documents.map((d) => {
    const policy = created.find((c) => c.name === d.name);
    const n = Object.keys(d.settings).length;
    return `  ${d.kind}: "${terminalCell(d.name)}" (${n} ${n === 1 ? 'setting' : 'settings'})${policy ? ` → policy ${policy.policyId}` : ''}`;
  });
  const lines = [
    `Intune policy "${terminalCell(result.source.name)}" (${terminalCell(result.source.odataType.replace('#microsoft.graph.', '')) || 'unknown type'})`,
    renderTable(['INTUNE SETTING', 'RESULT', 'SETTING', 'VALUE / REASON'], rows).trimEnd(),
    `mapped ${result.mapped.length}, unmapped ${result.unmapped.length}${reasons ? ` (${reasons})` : ''}`,
    result.documents.length === 0 ? 'no policy to create' : `${dryRun ? 'would create' : 'created'}:\n${docs.join('\n')}`,
  ];
  return `${lines.join('\n')}\n`;
}

async function readExportFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Creates the documents one by one; a failure names the document and the policies already created. */
async function createAll(api: AdminClient, result: ImportResult): Promise<PolicySummary[]> {
  const created: PolicySummary[] = [];
  for (const doc of result.documents) {
    try {
      created.push(await api.createPolicy(doc));
    } catch (err) {
      const e = toAttacheError(err);
      const done = created.length ? ` (already created: ${created.map((c) => c.policyId).join(', ')})` : '';
      throw new AttacheError(e.code, `creating the ${doc.kind} policy "${doc.name}" failed: ${e.message}${done}`, { cause: err, details: e.details });
    }
  }
  return created;
}

/** Adds `policy import` to the CLI. */
export function registerImportCommand(d: ImportCommandDeps): void {
  d.policy
    .command('import')
    .description('import an Intune policy export (Graph JSON): show the mapping, then create the policies')
    .requiredOption('--file <file>', 'Intune export (deviceManagementConfigurationPolicy JSON with settings)')
    .option('--dry-run', 'only show what would be created')
    .action(async (opts: { file: string; dryRun?: boolean }) => {
      const text = await readExportFile(opts.file);
      let result: ImportResult;
      try {
        result = importIntunePolicy(text);
      } catch (err) {
        const e = toAttacheError(err);
        throw new AttacheError(e.code, `${opts.file}: ${e.message}`, { cause: err, details: e.details });
      }
      const dryRun = opts.dryRun === true;
      const created = dryRun || result.documents.length === 0 ? [] : await createAll(await d.client(), result);
      d.print({ ...result, dryRun, created }, () => importView(result, created, dryRun));
    });
}
