// The managed-configuration document as a tree of dictionaries (mdatp_managed.json, com.microsoft.wdav.plist): read,
// set and remove one value by key path, leaving every other key exactly as it was. Pure; no I/O.

/** A dictionary node: keys are own enumerable properties (never the prototype chain). */
export type Dict = Record<string, unknown>;

/** True for a plain dictionary node (not an array, not a wrapped plist leaf). */
export function isDict(value: unknown): value is Dict {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets a key as an own property. Plain assignment of `__proto__` would replace the prototype instead of adding a key,
 * so a document that came from outside keeps such a key as the data it is.
 */
export function defineKey(dict: Dict, key: string, value: unknown): void {
  Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value at the path, or undefined when a segment is missing or not a dictionary. */
export function getPath(doc: Dict, path: readonly string[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (!isDict(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Sets the value at the path, creating missing parent dictionaries. A parent that exists but is not a dictionary is
 * someone else's data of another shape: refuse rather than replace it.
 */
export function setPath(doc: Dict, path: readonly string[], value: unknown): void {
  const parent = parentOf(doc, path, true);
  if (!parent) throw new Error(`cannot set ${path.join('.')}: a parent key holds a value that is not a dictionary`);
  defineKey(parent, lastKey(path), value);
}

/**
 * Removes the key at the path, then every parent dictionary the removal left empty (an empty dictionary configures
 * nothing, so the document means what it meant before the key was added). Returns whether a key was removed.
 */
export function removePath(doc: Dict, path: readonly string[]): boolean {
  const chain: Dict[] = [doc];
  for (const key of path.slice(0, -1)) {
    const next = (chain[chain.length - 1] as Dict)[key];
    if (!isDict(next) || !Object.hasOwn(chain[chain.length - 1] as Dict, key)) return false;
    chain.push(next);
  }
  const leaf = chain[chain.length - 1] as Dict;
  if (!Object.hasOwn(leaf, lastKey(path))) return false;
  delete leaf[lastKey(path)];
  for (let i = chain.length - 1; i > 0; i--) {
    const node = chain[i] as Dict;
    if (Object.keys(node).length > 0) break;
    delete (chain[i - 1] as Dict)[path[i - 1] as string];
  }
  return true;
}

function parentOf(doc: Dict, path: readonly string[], create: boolean): Dict | undefined {
  let node: Dict = doc;
  for (const key of path.slice(0, -1)) {
    if (!Object.hasOwn(node, key)) {
      if (!create) return undefined;
      defineKey(node, key, {});
    }
    const next = node[key];
    if (!isDict(next)) return undefined;
    node = next;
  }
  return node;
}

function lastKey(path: readonly string[]): string {
  const key = path[path.length - 1];
  if (key === undefined) throw new Error('empty key path');
  return key;
}
