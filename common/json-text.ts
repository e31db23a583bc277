// JSON text from outside (request bodies, responses, push and control-channel messages): parsed, and refused when it
// nests deeper than any message of ours can. JSON.parse itself copes with 10k levels, but every recursive walk after
// it (canonical JSON for signatures and body hashes, JSON.stringify into the store) overflows the stack.
import { AttacheError, type ErrorCode } from './errors.js';

/** Deeper than any document or message of the protocol (a policies response is about 10 levels deep). */
export const MAX_JSON_DEPTH = 64;

/** True when arrays or objects in `value` nest deeper than `limit` levels. Iterative, so depth cannot overflow it. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Parses `text` as JSON; throws AttacheError(`code`) naming `what` when it is not JSON or nests deeper than
 * MAX_JSON_DEPTH levels.
 */
export function parseJsonText(text: string, what: string, code: ErrorCode): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AttacheError(code, `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) throw new AttacheError(code, `${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}
