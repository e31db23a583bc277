// The audit export formats: JSON lines (one AuditEntry per line, exactly as the API answers it: verifiable) and CSV
// (RFC 4180, one row per entry, before/after as JSON text) with a guard against spreadsheet formula injection.
import type { AuditEntry } from '../../../../policy-schemas/src/index.js';
import { auditRecordOfEntry } from '../../store/audit-chain.js';

export type AuditExportFormat = 'jsonl' | 'csv';

/** The CSV columns, in order (the header row). */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'actorId',
  'actorUsername',
  'actorRole',
  'sourceAddress',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'errorCode',
  'before',
  'after',
  'prevHash',
  'hash',
] as const;

/**
 * One CSV cell. A value a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return:
 * OWASP "CSV Injection") gets a leading apostrophe; then the cell is quoted when it holds a comma, quote or line break.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV header line (CRLF-terminated, as RFC 4180 says). */
export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
}

/** One entry as a CSV line: the columns of the row its hash covers (before/after as canonical JSON text). */
export function auditCsvLine(entry: AuditEntry): string {
  const record = auditRecordOfEntry(entry);
  return `${AUDIT_CSV_COLUMNS.map((column) => csvCell(record[column])).join(',')}\r\n`;
}

/** The export's text, chunk by chunk (a header first for CSV), from the entries as they are read. */
export async function* auditExportLines(entries: AsyncIterable<AuditEntry>, format: AuditExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield auditCsvHeader();
  for await (const entry of entries) yield format === 'csv' ? auditCsvLine(entry) : `${JSON.stringify(entry)}\n`;
}
