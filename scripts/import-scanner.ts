// A tiny TypeScript tokenizer for the boundary check: finds import/export-from specifiers and reads of
// process.platform, skipping comments, string contents, template text and regex literals so none of them can fool it.

export interface Token {
  readonly kind: 'ident' | 'string' | 'punct' | 'other';
  readonly value: string;
  readonly line: number;
}

/** One module dependency of a file, as written. `names` are the identifiers between `import` and `from`. */
export interface ImportRecord {
  readonly specifier: string;
  readonly line: number;
  readonly typeOnly: boolean;
  readonly names: readonly string[];
}

// After these a `/` starts a regex literal; after an identifier, number, `)` or `]` it is a division.
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
const IDENT_START = /[\p{ID_Start}$_#]/u;
const IDENT_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

/** Splits TypeScript source into identifiers, string literals and punctuation; comments vanish, templates are opaque. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const braces: ('block' | 'template')[] = [];
  let line = 1;
  let i = 0;
  const push = (kind: Token['kind'], value: string, at: number) => tokens.push({ kind, value, line: at });
  // Reads template text from i (just after ` or }) to the closing ` or the next ${.
  const template = () => {
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '\\') i++;
      else if (source[i] === '$' && source[i + 1] === '{') {
        braces.push('template');
        i += 2;
        return;
      } else if (source[i] === '\n') line++;
      i++;
    }
    i++;
  };
  while (i < source.length) {
    const c = source[i] ?? '';
    const start = line;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) if (source[i] === '\n') line++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      push('string', source.slice(i + 1, j), start);
      i = j + 1;
    } else if (c === '`') {
      push('other', '`', start);
      i++;
      template();
    } else if (c === '/' && regexAllowed(tokens.at(-1))) {
      i = skipRegex(source, i);
      push('other', '/regex/', start);
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j] ?? '')) j++;
      push('ident', source.slice(i, j), start);
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[\w.]/.test(source[j] ?? '')) j++;
      push('other', source.slice(i, j), start);
      i = j;
    } else {
      if (c === '{') braces.push('block');
      i++;
      if (c === '}' && braces.pop() === 'template') template();
      else push('punct', c, start);
    }
  }
  return tokens;
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'punct') return prev.value !== ')' && prev.value !== ']' && prev.value !== '}';
  return prev.kind === 'ident' && KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
}

function skipRegex(source: string, from: number): number {
  let i = from + 1;
  let inClass = false;
  while (i < source.length && source[i] !== '\n') {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
    i++;
  }
  i++;
  while (i < source.length && /[a-z]/.test(source[i] ?? '')) i++;
  return i;
}

const is = (t: Token | undefined, kind: Token['kind'], value?: string): t is Token => t?.kind === kind && (value === undefined || t.value === value);

/** Every `import … from`, `import '…'`, `import('…')` and `export … from` in the source. */
export function extractImports(source: string): ImportRecord[] {
  const tokens = tokenize(source);
  const out: ImportRecord[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'ident' || is(tokens[i - 1], 'punct', '.')) return;
    const next = tokens[i + 1];
    if (t.value === 'import' && is(next, 'punct', '(')) {
      const spec = tokens[i + 2];
      if (is(spec, 'string')) out.push({ specifier: spec.value, line: t.line, typeOnly: false, names: [] });
    } else if (t.value === 'import' && is(next, 'string')) {
      out.push({ specifier: next.value, line: t.line, typeOnly: false, names: [] });
    } else if (t.value === 'import' || (t.value === 'export' && (is(next, 'punct', '{') || is(next, 'punct', '*') || is(next, 'ident', 'type')))) {
      const found = fromClause(tokens, i + 1);
      if (found) out.push({ ...found, line: t.line });
    }
  });
  return out;
}

/** Scans an import/export clause starting at `from` for `from '<specifier>'`; undefined for local exports and `import x = …`. */
function fromClause(tokens: readonly Token[], from: number): Omit<ImportRecord, 'line'> | undefined {
  const typeOnly = is(tokens[from], 'ident', 'type') && !is(tokens[from + 1], 'ident', 'from') && !is(tokens[from + 1], 'punct', ',');
  const names: string[] = [];
  for (let j = from; j < tokens.length; j++) {
    const t = tokens[j];
    if (!t) break;
    if (is(t, 'ident', 'from') && is(tokens[j + 1], 'string')) return { specifier: tokens[j + 1]?.value ?? '', typeOnly, names };
    if (is(tokens[j - 1], 'punct', '}')) return undefined; // `export { a }` without `from`: a local export
    if (t.kind === 'string' || (t.kind === 'punct' && !['{', '}', ',', '*'].includes(t.value))) return undefined;
    if (t.kind === 'ident' && !['type', 'as'].includes(t.value)) names.push(t.value);
  }
  return undefined;
}

/** Lines that read process.platform: `process.platform`, `process?.platform`, `process['platform']`, `{ platform } = process`. */
export function findProcessPlatformReads(source: string): number[] {
  const tokens = tokenize(source);
  const lines: number[] = [];
  tokens.forEach((t, i) => {
    if (!is(t, 'ident', 'process')) return;
    const dot = is(tokens[i + 1], 'punct', '?') ? i + 2 : i + 1;
    const member = is(tokens[dot], 'punct', '.') && is(tokens[dot + 1], 'ident', 'platform');
    const indexed = is(tokens[i + 1], 'punct', '[') && is(tokens[i + 2], 'string', 'platform') && is(tokens[i + 3], 'punct', ']');
    if (member || indexed || destructuresPlatform(tokens, i)) lines.push(t.line);
  });
  return lines;
}

// `const { platform } = process`: walk back from `} =` to the matching `{` looking for `platform`.
function destructuresPlatform(tokens: readonly Token[], processIndex: number): boolean {
  if (!is(tokens[processIndex - 1], 'punct', '=') || !is(tokens[processIndex - 2], 'punct', '}')) return false;
  let depth = 0;
  for (let j = processIndex - 2; j >= 0; j--) {
    const t = tokens[j];
    if (is(t, 'punct', '}')) depth++;
    else if (is(t, 'punct', '{') && --depth === 0) return false;
    else if (depth === 1 && is(t, 'ident', 'platform')) return true;
  }
  return false;
}

const RAW_TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const RAW_TIME_MODULES = new Set(['node:timers', 'node:timers/promises', 'timers', 'timers/promises']);

/**
 * Lines that take time, timers or randomness from the runtime instead of the injected Clock: `Date.now`,
 * `Math.random`, a bare `setTimeout`/`setInterval`/`setImmediate` call (a method such as `socket.setTimeout` is fine),
 * or an import of node:timers.
 */
export function findRawClockUses(source: string): number[] {
  const tokens = tokenize(source);
  const lines = new Set<number>();
  tokens.forEach((t, i) => {
    const member = (object: string, property: string) => is(t, 'ident', object) && is(tokens[i + 1], 'punct', '.') && is(tokens[i + 2], 'ident', property);
    if (member('Date', 'now') || member('Math', 'random')) lines.add(t.line);
    if (t.kind === 'ident' && RAW_TIMERS.has(t.value) && !is(tokens[i - 1], 'punct', '.') && !is(tokens[i - 1], 'punct', '?.')) lines.add(t.line);
    if (t.kind === 'string' && RAW_TIME_MODULES.has(t.value) && is(tokens[i - 1], 'ident', 'from')) lines.add(t.line);
  });
  return [...lines].sort((a, b) => a - b);
}
