// Part of `npm run lint`: enforces the import rules between folders (ARCHITECTURE.md, "Import rules"), that product
// code never imports test support, the layer order inside agent/src/ and management/src/ (layering.ts), and that only
// agent/src/platform/ reads process.platform. The rules are data; the checker is a pure function.
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractImports, findProcessPlatformReads, findRawClockUses, type ImportRecord } from './import-scanner.js';
import { checkLayering, LAYERINGS, type Layering, type ResolvedImport } from './layering.js';

/** What files in one folder may import. Repo entries ending in `/` are folders, others single files. */
export interface BoundaryRule {
  readonly folder: string;
  readonly repo: readonly string[] | 'any';
  readonly packages: readonly string[] | 'any';
  readonly builtins: boolean;
  /** Printed with every violation of this rule. */
  readonly rule: string;
}

/** The import rules. The most specific folder wins (agent/src/core/ over agent/); files under no folder are unchecked. */
export const RULES: readonly BoundaryRule[] = [
  {
    folder: 'policy-schemas/',
    repo: ['policy-schemas/'],
    packages: ['@sinclair/typebox'],
    builtins: false,
    rule: 'the schemas import only @sinclair/typebox and themselves',
  },
  {
    folder: 'common/',
    repo: ['common/', 'policy-schemas/'],
    packages: ['@sinclair/typebox', 'ajv', 'ajv-formats'],
    builtins: true,
    rule: 'common/ imports policy-schemas/, node built-ins, ajv, ajv-formats and @sinclair/typebox only',
  },
  {
    // Imported by the pure agent core, so it is held to the core's rule (the most specific entry wins over common/).
    folder: 'common/policy-merge.ts',
    repo: ['policy-schemas/', 'common/canonical-json.ts'],
    packages: ['@sinclair/typebox'],
    builtins: false,
    rule: 'the shared policy merge is pure: policy-schemas/ and common/canonical-json.ts only, no node:*, no npm packages',
  },
  {
    // Version comparison is shared by the endpoint's matching, the simulator and tests: pure, like the policy merge.
    folder: 'common/versions/',
    repo: ['common/versions/', 'common/errors.ts'],
    packages: [],
    builtins: false,
    rule: 'version comparison is pure: common/errors.ts and itself only, no node:*, no npm packages',
  },
  {
    folder: 'agent/src/core/',
    repo: ['agent/src/core/', 'policy-schemas/', 'common/errors.ts', 'common/canonical-json.ts', 'common/policy-merge.ts'],
    packages: ['@sinclair/typebox'],
    builtins: false,
    rule: 'the core is pure: policy-schemas/, common/errors.ts, common/canonical-json.ts, common/policy-merge.ts and itself, no node:*, no npm packages',
  },
  {
    folder: 'agent/',
    repo: ['agent/', 'common/', 'policy-schemas/'],
    packages: 'any',
    builtins: true,
    rule: 'the agent imports common/, policy-schemas/, itself and npm packages, never management/ or simulator/',
  },
  {
    folder: 'management/',
    repo: ['management/', 'common/', 'policy-schemas/'],
    packages: 'any',
    builtins: true,
    rule: 'management imports common/, policy-schemas/, itself and npm packages, never agent/',
  },
  {
    // Runs in the browser (bundled by scripts/build-console.ts): types from the schemas, Preact, nothing of Node.
    folder: 'management/console/app/',
    repo: ['management/console/app/', 'policy-schemas/', 'common/action-state.ts'],
    packages: ['preact'],
    builtins: false,
    rule: 'the console runs in the browser: preact, policy-schemas/ (types, and the dependency-free setting-evidence.ts and action-summary.ts), the dependency-free common/action-state.ts and itself; no node built-ins, no other package',
  },
  // Harnesses that drive both sides: anything goes.
  { folder: 'simulator/', repo: 'any', packages: 'any', builtins: true, rule: 'unrestricted' },
  { folder: 'test/', repo: 'any', packages: 'any', builtins: true, rule: 'unrestricted' },
  { folder: 'scripts/', repo: 'any', packages: 'any', builtins: true, rule: 'unrestricted' },
];

/**
 * Unit tests beside the code (`*.test.ts`, including contract and integration tests) may also use any npm package
 * (vitest, fast-check), node built-ins, the shared helpers in test/, and process.platform (to skip per OS).
 * Their imports of product code still follow their folder's rule.
 */
export const TEST_FILE = /\.test\.ts$/;
const TEST_FILE_EXTRA_REPO = ['test/'];

/** Test support: the shared test folder and every `testing/` folder beside the code it supports. */
export function isTestSupport(path: string): boolean {
  return path.startsWith('test/') || /(^|\/)testing\//.test(path);
}

/** Product code: what ships or runs outside tests (not a test, not test support, not a benchmark or build script). */
export function isProductFile(file: string): boolean {
  return !TEST_FILE.test(file) && !isTestSupport(file) && !file.startsWith('bench/') && !file.startsWith('scripts/');
}

const TEST_SUPPORT_RULE = 'product code never imports test support (test/, testing/ folders); only tests, test support, bench/ and scripts/ do';

/** The only folder that may read process.platform. */
export const PLATFORM_FOLDER = 'agent/src/platform/';
const PLATFORM_CHECKED = ['agent/'];

/** The one file that may read the machine's time, timers and randomness; every other product file takes a Clock. */
export const CLOCK_FILE = 'common/clock.ts';
const CLOCK_CHECKED = ['agent/', 'management/', 'common/', 'simulator/'];
/** Browser code: no Clock seam there, and its time only formats what the console shows. */
const CLOCK_EXEMPT = ['management/console/app/'];
const CLOCK_RULE = `uses the runtime's time, timers or randomness — take them from the injected Clock (${CLOCK_FILE})`;

/** The folders scanned by the CLI, relative to the repository root. */
export const SCANNED_FOLDERS = ['agent', 'management', 'common', 'policy-schemas', 'simulator', 'test', 'scripts'];

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface BoundaryReport {
  readonly filesChecked: number;
  readonly violations: readonly Violation[];
}

type Target = { kind: 'repo'; path: string } | { kind: 'builtin'; name: string } | { kind: 'package'; name: string };

const BUILTINS = new Set(builtinModules);

/** Classifies a specifier; relative ones become repo paths (`.js` → `.ts`, since sources import by their emitted name). */
export function resolveSpecifier(importer: string, specifier: string): Target {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    // An absolute specifier keeps its leading slash, so it matches no allowed folder and restricted folders flag it.
    const path = specifier.startsWith('/') ? posix.normalize(specifier) : posix.normalize(posix.join(posix.dirname(importer), specifier));
    return { kind: 'repo', path: path.replace(/\.([mc]?)js$/, '.$1ts') };
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] ?? '')) return { kind: 'builtin', name: specifier };
  const parts = specifier.split('/');
  return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier) };
}

export function ruleFor(file: string, rules: readonly BoundaryRule[] = RULES): BoundaryRule | undefined {
  return rules.filter((r) => file.startsWith(r.folder)).sort((a, b) => b.folder.length - a.folder.length)[0];
}

function inRepoList(path: string, list: readonly string[]): boolean {
  return list.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) || `${path}/` === entry : path === entry));
}

function allowed(rule: BoundaryRule, target: Target, isTest: boolean): boolean {
  switch (target.kind) {
    case 'builtin':
      return rule.builtins || isTest;
    case 'package':
      return rule.packages === 'any' || rule.packages.includes(target.name) || isTest;
    case 'repo':
      return rule.repo === 'any' || inRepoList(target.path, rule.repo) || (isTest && inRepoList(target.path, TEST_FILE_EXTRA_REPO));
  }
}

function targetName(target: Target): string {
  return target.kind === 'repo' ? target.path : target.name;
}

/** Checks one file's imports (folder rule, test support) and process.platform reads, given its extracted imports. */
export function checkFile(file: string, source: string, imports: readonly ImportRecord[], rules: readonly BoundaryRule[] = RULES): Violation[] {
  const rule = ruleFor(file, rules);
  const isTest = TEST_FILE.test(file);
  const product = isProductFile(file);
  const out: Violation[] = [];
  for (const record of imports) {
    const target = resolveSpecifier(file, record.specifier);
    const what = `imports ${targetName(target)}`;
    if (product && target.kind === 'repo' && isTestSupport(target.path)) out.push({ file, line: record.line, message: `${what} — ${TEST_SUPPORT_RULE}` });
    else if (rule && !allowed(rule, target, isTest)) out.push({ file, line: record.line, message: `${what} — ${rule.folder}: ${rule.rule}` });
  }
  const platformChecked = PLATFORM_CHECKED.some((f) => file.startsWith(f)) && !file.startsWith(PLATFORM_FOLDER) && !isTest;
  if (platformChecked) {
    for (const line of findProcessPlatformReads(source)) {
      out.push({ file, line, message: `reads process.platform — only ${PLATFORM_FOLDER} decides the platform` });
    }
  }
  if (product && file !== CLOCK_FILE && CLOCK_CHECKED.some((f) => file.startsWith(f)) && !CLOCK_EXEMPT.some((f) => file.startsWith(f))) {
    for (const line of findRawClockUses(source)) out.push({ file, line, message: CLOCK_RULE });
  }
  return out;
}

/** Checks every file (repo-relative, `/`-separated) with `read` supplying its text. */
export function checkBoundaries(
  files: readonly string[],
  read: (file: string) => string,
  rules: readonly BoundaryRule[] = RULES,
  layerings: readonly Layering[] = LAYERINGS,
): BoundaryReport {
  const violations: Violation[] = [];
  const productImports: ResolvedImport[] = [];
  for (const file of files) {
    const source = read(file);
    const imports = extractImports(source);
    violations.push(...checkFile(file, source, imports, rules));
    if (!isProductFile(file)) continue;
    for (const record of imports) {
      const target = resolveSpecifier(file, record.specifier);
      // An import of test support is reported above; the layering is about product folders only.
      if (target.kind === 'repo' && !isTestSupport(target.path)) productImports.push({ file, line: record.line, target: target.path });
    }
  }
  for (const v of checkLayering(productImports, layerings)) violations.push({ file: v.file, line: v.line, message: `imports ${v.target} — ${v.rule}` });
  violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.message.localeCompare(b.message));
  return { filesChecked: files.length, violations };
}

/** One line per violation: `file:line: imports X — rule`. */
export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}: ${v.message}`;
}

/** Every .ts and .tsx file under the scanned folders, skipping node_modules and dist. */
export function listSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // folder absent (simulator/ is optional)
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') walk(full);
      else if (entry.isFile() && /\.([mc]?ts|tsx)$/.test(entry.name)) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  for (const folder of SCANNED_FOLDERS) walk(join(root, folder));
  return out.sort();
}

function main(): number {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const files = listSourceFiles(root);
  const report = checkBoundaries(files, (file) => readFileSync(join(root, file), 'utf8'));
  for (const v of report.violations) process.stdout.write(`${formatViolation(v)}\n`);
  process.stdout.write(`boundaries: ${report.filesChecked} files checked, ${report.violations.length} violations\n`);
  return report.violations.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = main();
