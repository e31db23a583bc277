// Plain-text tables for the admin CLI's human output. Every cell and field value goes through `terminalCell`: names,
// hostnames and messages come from devices and imported files, and must not reach the terminal as control characters.
import { terminalCell } from '../../../common/terminal-text.js';

/** Renders rows as left-aligned columns under a header; empty lists print "(none)". */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => r.map(terminalCell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

/** Renders `key: value` lines with aligned values. */
/** A page's table followed by the option that continues it (`more: --cursor …`), when there is a next page. */
export function withNextCursor(table: string, nextCursor: string | null | undefined): string {
  return nextCursor ? `${table}more: --cursor ${nextCursor}\n` : table;
}

export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return `${fields.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${terminalCell(v)}`).join('\n')}\n`;
}

/** A setting value or anything else as short text. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
