// Canonical JSON: the exact bytes that policy signatures and request body hashes are computed over.
// Keys sorted by UTF-16 code units, no whitespace, JSON.stringify escaping (RFC 8785 style for our value space:
// we never sign non-integer numbers, so number formatting differences cannot arise).

/**
 * Serialises `value` with object keys sorted recursively.
 *
 * Semantics (common/canonical-json.test.ts pins them): an object member whose value is `undefined` is omitted, as
 * JSON.stringify does, so a value and its JSON round trip serialise the same. Everything JSON.stringify would
 * silently change is a TypeError instead, because a signature over altered data must never happen quietly:
 * NaN and ±Infinity, `undefined` as an array element, a hole in a sparse array or the whole value, functions,
 * symbols, bigints, and objects that are not plain (Date, Map, class instances, anything with its own toJSON).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  // Array.from visits holes as undefined (map would skip them and join would emit "[,1]").
  if (Array.isArray(value)) return `[${Array.from(value, (item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  const what = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new TypeError(`canonicalJson: cannot serialise ${what}`);
}

// JSON.parse only ever yields plain objects; a Date or Map would otherwise serialise as "{}".
function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
