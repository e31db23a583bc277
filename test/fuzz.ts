// Property-based fuzzing of parsers of untrusted input (the *.fuzz.test.ts files): the "clear error or correct result"
// property, the fixed seed and bounded run count, arbitraries that mutate real samples, and pathological inputs (deep
// nesting, 1 MB strings, huge numbers) whose only hang guard is vitest's per-test timeout.
import fc from 'fast-check';
import { AttacheError, isErrorCode } from '../common/errors.js';

/**
 * Fixed seed and bounded runs: the whole fuzz set stays reproducible and within seconds. For a longer exploratory run,
 * ATTACHE_FUZZ_SEED and ATTACHE_FUZZ_SCALE (a multiplier of every run count) change them; a failure prints its seed
 * and path, and the input that found it belongs in a named regression test.
 */
const SCALE = Number(process.env.ATTACHE_FUZZ_SCALE ?? '1') || 1;
export const FUZZ_RUNS = { seed: Number(process.env.ATTACHE_FUZZ_SEED ?? '1204') || 1204, numRuns: Math.round(150 * SCALE) } as const;

/** FUZZ_RUNS with another run count (for slower properties), scaled the same way. */
export function fuzzRuns(numRuns: number): { readonly seed: number; readonly numRuns: number } {
  return { seed: FUZZ_RUNS.seed, numRuns: Math.round(numRuns * SCALE) };
}

/** A class a parser documents as its refusal (AttacheError, PlistError, PfOutputError, …). */
export type ErrorClass = abstract new (...args: any[]) => Error;

/** Built-in errors that mean the parser crashed on the input, never a refusal it chose to make. */
const CRASHES: readonly ErrorClass[] = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

/** What one parser call came to: a value, or the parser's own clear error. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

function judge(err: unknown, accepted: readonly ErrorClass[], input: string): Error {
  const show = `${input.slice(0, 200)}${input.length > 200 ? '…' : ''}`;
  if (!(err instanceof Error)) throw new Error(`threw a non-Error ${String(err)} on input ${show}`);
  const isAccepted = accepted.some((cls) => err instanceof cls);
  const isCrash = CRASHES.some((cls) => err instanceof cls) && !accepted.some((cls) => CRASHES.includes(cls) && err instanceof cls);
  if (isCrash || !isAccepted) throw new Error(`crashed with ${err.name}: ${err.message} on input ${show}`, { cause: err });
  if (err.message.trim() === '') throw new Error(`${err.name} with an empty message on input ${show}`, { cause: err });
  if (err instanceof AttacheError && !isErrorCode(err.code)) throw new Error(`AttacheError with unknown code ${String(err.code)}`);
  // A crash caught and re-thrown under a code (toAttacheError's INTERNAL, or any code with a TypeError as cause) is
  // still a crash.
  if (err instanceof AttacheError && err.code === 'INTERNAL') throw new Error(`INTERNAL error ${err.message} on input ${show}`, { cause: err });
  for (let cause = err.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof TypeError || cause instanceof RangeError)
      throw new Error(`${err.name} caused by ${cause.name}: ${cause.message} on input ${show}`, { cause: err });
  }
  return err;
}

function describeInput(input: unknown): string {
  try {
    return typeof input === 'string' ? JSON.stringify(input) : (JSON.stringify(input) ?? String(input));
  } catch (err) {
    // Deep nesting defeats JSON.stringify and String() alike.
    return `(a ${Array.isArray(input) ? 'array' : typeof input} that cannot be shown: ${(err as Error).message})`;
  }
}

/**
 * Runs `parse(input)`: returns its value, or the error when it is one of `accepted` with a non-empty message (and a
 * catalogued code for an AttacheError). Anything else (TypeError, RangeError, a stack overflow, a raw SyntaxError from
 * JSON.parse, a non-Error) fails the property with the input that caused it.
 */
export function clearOutcome<I, T>(parse: (input: I) => T, input: I, accepted: readonly ErrorClass[] = [AttacheError]): Outcome<T> {
  try {
    return { ok: true, value: parse(input) };
  } catch (err) {
    return { ok: false, error: judge(err, accepted, describeInput(input)) };
  }
}

/** `clearOutcome` for parsers that return a promise. */
export async function clearOutcomeAsync<I, T>(
  parse: (input: I) => Promise<T>,
  input: I,
  accepted: readonly ErrorClass[] = [AttacheError],
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await parse(input) };
  } catch (err) {
    return { ok: false, error: judge(err, accepted, describeInput(input)) };
  }
}

// ------------------------------------------------------------------------------------------------ text mutations

/** Characters parsers trip on: NUL and other controls, BOM, quotes, brackets, separators, non-BMP, lone surrogates. */
const HOSTILE_CHARS = [
  '\u0000',
  '\u0001',
  '\u001b',
  '\u007f',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\uFEFF',
  '\u202E',
  '\u2028',
  '\uFFFF',
  '\uD800',
  '\uDC00',
  '😀',
  'é',
  '"',
  "'",
  '\\',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '<',
  '>',
  '&',
  '/',
  '=',
  '-',
  '+',
  '.',
  '0',
  '9',
  'e',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'true',
  '1e999',
  '-0',
  '9007199254740993',
  '&#0;',
  '&#x110000;',
  '<!--',
  ']]>',
];
const hostileChunk = fc.oneof(fc.constantFrom(...HOSTILE_CHARS), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }));

/**
 * A position anywhere in a sample, uniformly (taken modulo the sample's length or path count). fc.double and fc.nat
 * are biased toward their bounds, which kept every edit at the first few characters or keys of a sample.
 */
const uniform = fc.noBias(fc.nat());

type Edit = { readonly at: number; readonly op: 'replace' | 'insert' | 'delete' | 'duplicate' | 'truncate'; readonly len: number; readonly chunk: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: uniform,
  op: fc.constantFrom('replace', 'insert', 'delete', 'duplicate', 'truncate'),
  len: fc.integer({ min: 1, max: 16 }),
  chunk: hostileChunk,
});

function applyEdit(text: string, e: Edit): string {
  const i = e.at % (text.length + 1);
  switch (e.op) {
    case 'replace':
      return text.slice(0, i) + e.chunk + text.slice(i + e.len);
    case 'insert':
      return text.slice(0, i) + e.chunk + text.slice(i);
    case 'delete':
      return text.slice(0, i) + text.slice(i + e.len);
    case 'duplicate':
      return text.slice(0, i + e.len) + text.slice(i);
    default:
      return text.slice(0, i);
  }
}

/** A real sample with one to five character-level edits (flip, insert, delete, duplicate, truncate). */
export function mutatedText(samples: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 5 })).map(([sample, edits]) => edits.reduce(applyEdit, sample));
}

/** Mutated samples, a few untouched ones, and arbitrary strings: the text arbitrary of a text parser. */
export function hostileText(samples: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedText(samples) },
    { weight: 1, arbitrary: fc.constantFrom(...samples) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  );
}

// ------------------------------------------------------------------------------------------------ JSON mutations

/** Deeply nested arrays (`[[[…]]]`), built without recursion. */
export function deepArray(depth: number, leaf: unknown = 0): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Deeply nested objects (`{"a":{"a":…}}`), built without recursion. */
export function deepObject(depth: number, key = 'a', leaf: unknown = {}): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = { [key]: v };
  return v;
}

/** Values that replace a real one: other JSON types, edge numbers, long and hostile strings, nesting, prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      -0,
      0.5,
      1e308,
      -1e308,
      2 ** 53 + 2,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '',
      ' ',
      '\u0000',
      '\u202Eevil',
      'x'.repeat(5000),
      [],
      {},
      [null],
      { '': null },
      deepArray(200),
      deepObject(200),
      JSON.parse('{"__proto__":{"polluted":1}}'),
      { constructor: { prototype: 1 } },
      '1970-01-01T00:00:00Z',
      '00000000-0000-0000-0000-000000000000',
    ),
  },
  { weight: 2, arbitrary: hostileChunk },
);

type Path = readonly (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(prefix);
  if (depth > 40 || value === null || typeof value !== 'object') return out;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  for (const [k, v] of entries) pathsOf(v, [...prefix, k], out, depth + 1);
  return out;
}

type JsonEdit = {
  readonly pick: number;
  readonly op: 'set' | 'delete' | 'add' | 'wrap' | 'number' | 'string';
  readonly value: unknown;
  readonly key: string;
  readonly number: number;
  readonly text: Edit;
};

/** Numbers that break integer, range and BigInt assumptions. */
const EDGE_NUMBERS = [0.5, -1, -0, 65536, 2 ** 31, 2 ** 53 + 2, 1e21, 1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY];

function leafPaths(paths: readonly Path[], root: unknown, type: 'number' | 'string'): Path[] {
  const at = (p: Path) => p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root);
  return paths.filter((p) => p.length > 0 && typeof at(p) === type);
}

function applyJsonEdit(root: unknown, e: JsonEdit): unknown {
  const all = pathsOf(root);
  // Number and string edits aim at the leaves of that type: a port of 0.5 or a rule name with a NUL in it.
  const leaves = e.op === 'number' || e.op === 'string' ? leafPaths(all, root, e.op) : all;
  const paths = leaves.length > 0 ? leaves : all;
  const path = paths[e.pick % paths.length] ?? [];
  if (path.length === 0) return e.op === 'wrap' ? [root] : e.op === 'set' ? structuredClone(e.value) : root;
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  // A copy each time: the constants are shared between runs, and inserting one twice must not make a cycle.
  const value = e.value !== null && typeof e.value === 'object' ? structuredClone(e.value) : e.value;
  if (e.op === 'set') parent[key] = value;
  else if (e.op === 'number') parent[key] = typeof parent[key] === 'number' ? e.number : value;
  else if (e.op === 'string') parent[key] = typeof parent[key] === 'string' ? applyEdit(parent[key] as string, e.text) : value;
  else if (e.op === 'wrap') parent[key] = [parent[key]];
  else if (e.op === 'delete' && Array.isArray(parent)) parent.splice(key as number, 1);
  else if (e.op === 'delete') delete parent[key];
  else if (Array.isArray(parent)) parent.push(value);
  else Object.defineProperty(parent, e.key, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  pick: uniform,
  op: fc.constantFrom('set', 'set', 'delete', 'add', 'wrap', 'number', 'string', 'string'),
  value: hostileValue,
  number: fc.oneof(fc.constantFrom(...EDGE_NUMBERS), fc.double(), fc.integer()),
  text: edit,
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', '', 'type', '$type', 'kind', 'id'), fc.string({ maxLength: 6 })),
});

/** A deep copy of a real sample with one to four value-level edits (type swaps, deletions, additions, wrapping). */
export function mutatedJson(samples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(jsonEdit, { minLength: 1, maxLength: 4 }))
    .map(([sample, edits]) => edits.reduce(applyJsonEdit, structuredClone(sample)));
}

/** Mutated samples plus arbitrary structure (`fc.anything`, `fc.json`): the value arbitrary of a JSON-shaped parser. */
export function hostileJson(samples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedJson(samples) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );
}

/**
 * Values as a receiver sees them after JSON.parse: value-level edits round-tripped through JSON (no NaN, no undefined)
 * and character-level edits of the text that still parse (1e999 becomes Infinity, duplicate keys collapse).
 */
export function receivedJson(samples: readonly unknown[]): fc.Arbitrary<unknown> {
  const parsed = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  return fc.oneof(
    mutatedJson(samples).map((v) => parsed(JSON.stringify(v) ?? 'null')),
    hostileText(samples.map((s) => JSON.stringify(s))).map(parsed),
  );
}

/** Text of mutated samples: JSON of value-level edits, and character-level edits of their JSON text. */
export function hostileJsonText(samples: readonly unknown[]): fc.Arbitrary<string> {
  const texts = samples.map((s) => JSON.stringify(s, null, 2));
  return fc.oneof({ weight: 3, arbitrary: mutatedJson(samples).map((v) => JSON.stringify(v) ?? 'undefined') }, { weight: 3, arbitrary: hostileText(texts) });
}

// ------------------------------------------------------------------------------------------------ pathological

/** Inputs that hang or overflow careless parsers: each must finish (vitest's per-test timeout) with a clear outcome. */
export function pathologicalTexts(sample: string): readonly { readonly name: string; readonly text: string }[] {
  const n = 10_000;
  return [
    { name: '10k nested arrays', text: `${'['.repeat(n)}${']'.repeat(n)}` },
    { name: '10k nested objects', text: `${'{"a":'.repeat(n)}{}${'}'.repeat(n)}` },
    { name: '10k unclosed brackets', text: '['.repeat(n) },
    { name: '1 MB string', text: JSON.stringify('x'.repeat(1024 * 1024)) },
    { name: '1 MB of one line', text: 'a'.repeat(1024 * 1024) },
    { name: '20k lines', text: `${sample}\n`.repeat(Math.max(1, Math.floor(20_000 / Math.max(1, sample.split('\n').length)))).slice(0, 4 * 1024 * 1024) },
    { name: 'huge number', text: `1${'0'.repeat(100_000)}` },
    { name: 'huge exponent', text: '1e999999999' },
    { name: 'NaN literal', text: 'NaN' },
    { name: 'Infinity literal', text: '[Infinity, -Infinity]' },
    { name: 'empty', text: '' },
    { name: 'BOM then sample', text: `\uFEFF${sample}` },
    { name: 'NUL in sample', text: `${sample.slice(0, sample.length >> 1)}\u0000${sample.slice(sample.length >> 1)}` },
    { name: 'sample ten times', text: sample.repeat(10) },
  ];
}

/** Values that hang or overflow careless code walking parsed JSON. */
export function pathologicalValues(): readonly { readonly name: string; readonly value: unknown }[] {
  return [
    { name: '10k nested arrays', value: deepArray(10_000) },
    { name: '10k nested objects', value: deepObject(10_000) },
    { name: '100k element array', value: Array.from({ length: 100_000 }, (_, i) => i) },
    { name: '1 MB string', value: 'x'.repeat(1024 * 1024) },
    { name: 'object with 10k keys', value: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])) },
    { name: '__proto__ key', value: JSON.parse('{"__proto__":{"polluted":true}}') },
  ];
}
