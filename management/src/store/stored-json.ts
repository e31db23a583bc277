// The one way the store reads JSON it wrote: bounded in size and nesting depth, and a row that does not parse becomes
// STORE_CORRUPT naming its table, id and column, so one bad row is reported as itself instead of failing a whole list.
import { AttacheError } from '../../../common/errors.js';

/** Limits of a stored JSON value: far above anything the endpoint writes (bodies are ≤ 1 MiB, schemas nest < 20). */
export const STORED_JSON_LIMITS = { maxChars: 4 * 1024 * 1024, maxDepth: 64 } as const;

/** Where a stored value lives: its table, the id of its row and (optionally) the column. */
export interface StoredRef {
  readonly table: string;
  readonly id: string;
  readonly column?: string;
}

/** A row a read skipped because it is corrupt (what lists report next to the rows that could be read). */
export interface StoreProblem {
  readonly table: string;
  readonly id: string;
  readonly code: 'STORE_CORRUPT';
  readonly message: string;
}

function describe(where: StoredRef): string {
  return `${where.table} ${where.id}${where.column ? ` (${where.column})` : ''}`;
}

/** The STORE_CORRUPT error of a row; details carry the table and id for clients that want them separately. */
export function storeCorrupt(where: StoredRef, reason: string): AttacheError {
  return new AttacheError('STORE_CORRUPT', `stored ${describe(where)} is corrupt: ${reason}; write a new version or delete it`, {
    details: [
      { path: 'table', message: where.table },
      { path: 'id', message: where.id },
    ],
  });
}

// Deepest [ / { nesting outside strings, stopping once past `limit` (a linear scan, before JSON.parse builds anything).
function nestingDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Parses a stored JSON text; STORE_CORRUPT (naming `where`) when it is too large, too deep or not JSON. */
export function parseStoredJson<T>(text: string, where: StoredRef): T {
  if (typeof text !== 'string') throw storeCorrupt(where, `expected JSON text, found ${text === null ? 'null' : typeof text}`);
  if (text.length > STORED_JSON_LIMITS.maxChars) throw storeCorrupt(where, `JSON text is longer than ${STORED_JSON_LIMITS.maxChars} characters`);
  if (nestingDepthExceeds(text, STORED_JSON_LIMITS.maxDepth)) throw storeCorrupt(where, `JSON nests deeper than ${STORED_JSON_LIMITS.maxDepth} levels`);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw storeCorrupt(where, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** A STORE_CORRUPT error as the problem entry of a list. */
function problemOf(err: AttacheError, where: StoredRef): StoreProblem {
  return { table: where.table, id: where.id, code: 'STORE_CORRUPT', message: err.message };
}

/**
 * Maps rows one by one: a row whose mapping throws STORE_CORRUPT is left out and reported as a problem; any other
 * error still propagates (it is not about one row).
 */
export function isolateRows<R, T>(rows: readonly R[], map: (row: R) => T, ref: (row: R) => StoredRef): { items: T[]; problems: StoreProblem[] } {
  const items: T[] = [];
  const problems: StoreProblem[] = [];
  for (const row of rows) {
    try {
      items.push(map(row));
    } catch (err) {
      if (!(err instanceof AttacheError) || err.code !== 'STORE_CORRUPT') throw err;
      problems.push(problemOf(err, ref(row)));
    }
  }
  return { items, problems };
}
