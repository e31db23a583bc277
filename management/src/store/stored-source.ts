// The `source` column of policies and compliance policies (migrations 0014, 0015): a PolicySource as JSON text, read
// back validated so a row edited by hand is STORE_CORRUPT naming the row, never a wrong answer.
import { validate } from '../../../common/validation.js';
import { PolicySource } from '../../../policy-schemas/src/index.js';
import { parseStoredJson, type StoredRef, storeCorrupt } from './stored-json.js';

/** The column value for `source` (NULL when authored here). */
export function sourceText(source: PolicySource | undefined): string | null {
  return source ? JSON.stringify(source) : null;
}

/** The stored source (written by sourceText from a validated PolicySource); STORE_CORRUPT when it no longer is one. */
export function sourceFromText(text: string | null, where: StoredRef): PolicySource | undefined {
  if (text === null) return undefined;
  const data = parseStoredJson<unknown>(text, where);
  try {
    return validate(PolicySource, data, 'stored policy source');
  } catch (err) {
    throw storeCorrupt(where, (err as Error).message);
  }
}
