// The boundary checker against in-memory fixtures: each forbidden import is reported with file, line and rule, allowed
// imports are not, and comments, strings and regexes cannot fool the scanner.
import { describe, expect, it } from 'vitest';
import { checkBoundaries, formatViolation, resolveSpecifier, ruleFor } from './check-boundaries.js';
import { extractImports, findProcessPlatformReads } from './import-scanner.js';

/** Runs the checker over `files` (path → source) and returns the formatted violations. */
function check(files: Record<string, string>): string[] {
  const report = checkBoundaries(Object.keys(files), (file) => files[file] ?? '');
  expect(report.filesChecked).toBe(Object.keys(files).length);
  return report.violations.map(formatViolation);
}

describe('check-boundaries: violations', () => {
  it('reports a core file importing node:fs', () => {
    const out = check({ 'agent/src/core/plan.ts': "// plan\nimport { readFileSync } from 'node:fs';\n" });
    expect(out).toEqual([expect.stringMatching(/^agent\/src\/core\/plan\.ts:2: agent\/src\/core\/ must not import node:fs \(the core is pure/)]);
  });

  it('reports a core file importing an npm package, agent code or common/ beyond errors and canonical-json', () => {
    const out = check({
      'agent/src/core/plan.ts': [
        "import winston from 'winston';",
        "import { x } from '../transport/endpoint-client.js';",
        "import { validate } from '../../../common/validation.js';",
        "import { readFile } from 'fs/promises';",
      ].join('\n'),
    });
    expect(out.map((l) => l.split(' (')[0])).toEqual([
      'agent/src/core/plan.ts:1: agent/src/core/ must not import winston',
      'agent/src/core/plan.ts:2: agent/src/core/ must not import agent/src/transport/endpoint-client.ts',
      'agent/src/core/plan.ts:3: agent/src/core/ must not import common/validation.ts',
      'agent/src/core/plan.ts:4: agent/src/core/ must not import fs/promises',
    ]);
  });

  it('reports an agent file importing management/ or simulator/', () => {
    const out = check({
      'agent/src/sync/sync-engine.ts': "import { x } from '../../../management/src/store/store.js';\nexport { y } from '../../../simulator/fleet.js';\n",
    });
    expect(out).toEqual([
      expect.stringMatching(/^agent\/src\/sync\/sync-engine\.ts:1: agent\/ must not import management\/src\/store\/store\.ts \(/),
      expect.stringMatching(/^agent\/src\/sync\/sync-engine\.ts:2: agent\/ must not import simulator\/fleet\.ts \(/),
    ]);
  });

  it('reports a management file importing agent/, including dynamic and type-only imports', () => {
    const out = check({
      'management/src/service/policies.ts': [
        "import type { Plan } from '../../../agent/src/core/plan.js';",
        "const m = await import('../../../agent/src/version.js');",
      ].join('\n'),
    });
    expect(out).toEqual([
      expect.stringContaining('management/src/service/policies.ts:1: management/ must not import agent/src/core/plan.ts'),
      expect.stringContaining('management/src/service/policies.ts:2: management/ must not import agent/src/version.ts'),
    ]);
  });

  it('reports process.platform outside agent/src/platform/', () => {
    const out = check({
      'agent/src/providers/linux.ts': "const a = 1;\nif (process.platform === 'linux') run();\n",
      'agent/src/sync/x.ts': "const { platform } = process;\nconst p = process['platform'];\nconst q = process?.platform;\n",
    });
    expect(out).toEqual([
      'agent/src/providers/linux.ts:2: agent/ must not read process.platform (only agent/src/platform/ decides the platform)',
      expect.stringContaining('agent/src/sync/x.ts:1: agent/ must not read process.platform'),
      expect.stringContaining('agent/src/sync/x.ts:2: agent/ must not read process.platform'),
      expect.stringContaining('agent/src/sync/x.ts:3: agent/ must not read process.platform'),
    ]);
  });

  it('reports policy-schemas/ and common/ reaching outside their allowance', () => {
    const out = check({
      'policy-schemas/src/policy.ts': "import { createHash } from 'node:crypto';\nimport { x } from '../../common/errors.js';\n",
      'common/validation.ts': "import { y } from '../agent/src/version.js';\nimport winston from 'winston';\n",
    });
    expect(out.map((l) => l.split(' (')[0])).toEqual([
      'common/validation.ts:1: common/ must not import agent/src/version.ts',
      'common/validation.ts:2: common/ must not import winston',
      'policy-schemas/src/policy.ts:1: policy-schemas/ must not import node:crypto',
      'policy-schemas/src/policy.ts:2: policy-schemas/ must not import common/errors.ts',
    ]);
  });

  it('still applies folder rules to repo imports of test files', () => {
    expect(check({ 'agent/src/sync/x.test.ts': "import { s } from '../../../management/src/main.js';\n" })).toHaveLength(1);
  });
});

describe('check-boundaries: allowed imports', () => {
  it('does not report what the rules allow', () => {
    const out = check({
      'agent/src/core/effective.ts': [
        "import type { Static } from '@sinclair/typebox';",
        "import { canonicalJson } from '../../../common/canonical-json.js';",
        "import { AttacheError } from '../../../common/errors.js';",
        "import { settingById } from '../../../policy-schemas/src/index.js';",
        "import { plan } from './plan.js';",
      ].join('\n'),
      'agent/src/platform/index.ts': "import { arch } from 'node:os';\nswitch (process.platform) {}\n",
      'agent/src/sync/apply.ts':
        "import { validate } from '../../../common/validation.js';\nimport winston from 'winston';\nimport { x } from '../core/plan.js';\n",
      'management/src/main.ts': "import Fastify from 'fastify';\nimport { join } from 'node:path';\nimport { y } from '../../common/signing.js';\n",
      'common/validation.ts':
        "import { Ajv2020 } from 'ajv/dist/2020.js';\nimport addFormats from 'ajv-formats';\nimport { ALL } from '../policy-schemas/src/index.js';\n",
      'policy-schemas/src/index.ts': "import { Type } from '@sinclair/typebox';\nexport * from './policy.js';\n",
      'test/e2e.test.ts': "import { a } from '../agent/src/main.js';\nimport { m } from '../management/src/main.js';\nif (process.platform) {}\n",
      'scripts/build.ts': "import { build } from 'esbuild';\nimport '../agent/src/main.js';\n",
    });
    expect(out).toEqual([]);
  });

  it('lets unit tests beside the code use test tooling, node built-ins, test/ helpers and process.platform', () => {
    const out = check({
      'agent/src/core/plan.test.ts': "import { it } from 'vitest';\nimport fc from 'fast-check';\nimport { h } from '../../../test/helpers.js';\n",
      'agent/src/providers/linux.integration.test.ts': "import { execFile } from 'node:child_process';\nit.skipIf(process.platform !== 'linux');\n",
      'policy-schemas/src/catalog/catalog.test.ts': "import { Ajv2020 } from 'ajv/dist/2020.js';\n",
    });
    expect(out).toEqual([]);
  });

  it('is not fooled by comments, strings, templates or regexes', () => {
    const source = [
      "// import { x } from 'node:fs'; process.platform",
      "/* export * from '../../../management/src/a.js' */",
      'const s = "import y from \'node:net\'";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture is source text containing a template
      "const t = `process.platform ${'import z from \"winston\"'} import('node:os')`;",
      "const r = /import w from 'node:http'/g;",
      'const meta = import.meta.url;',
      'const o = { import: 1, platform: process.env.PLATFORM };',
    ].join('\n');
    expect(check({ 'agent/src/core/plan.ts': source })).toEqual([]);
  });
});

describe('import scanner', () => {
  it('finds every form of import and export-from, with lines and type-only flags', () => {
    const source = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      'import {',
      '  c,',
      '  type D,',
      "} from './c.js';",
      "import * as e from './e.js';",
      "import './side-effect.js';",
      "export * from './f.js';",
      "export * as g from './g.js';",
      "export type { H } from './h.js';",
      "export { i as j } from './i.js';",
      "const k = await import('./k.js');",
      'export { local };',
      'export const notAnImport = 1;',
      "import l, { m } from './lm.js';",
    ].join('\n');
    expect(extractImports(source).map((r) => [r.specifier, r.line, r.typeOnly])).toEqual([
      ['./a.js', 1, false],
      ['./b.js', 2, true],
      ['./c.js', 3, false],
      ['./e.js', 7, false],
      ['./side-effect.js', 8, false],
      ['./f.js', 9, false],
      ['./g.js', 10, false],
      ['./h.js', 11, true],
      ['./i.js', 12, false],
      ['./k.js', 13, false],
      ['./lm.js', 16, false],
    ]);
  });

  it('reads process.platform only where the code does', () => {
    expect(findProcessPlatformReads("process.platform\n'process.platform'\n// process.platform\nprocess.env\n")).toEqual([1]);
  });

  it('resolves specifiers to repo paths, built-ins and package names', () => {
    expect(resolveSpecifier('agent/src/core/plan.ts', '../../../common/errors.js')).toEqual({ kind: 'repo', path: 'common/errors.ts' });
    expect(resolveSpecifier('agent/src/core/plan.ts', './effective.js')).toEqual({ kind: 'repo', path: 'agent/src/core/effective.ts' });
    expect(resolveSpecifier('x.ts', 'node:fs')).toEqual({ kind: 'builtin', name: 'node:fs' });
    expect(resolveSpecifier('x.ts', 'fs/promises')).toEqual({ kind: 'builtin', name: 'fs/promises' });
    expect(resolveSpecifier('x.ts', 'ajv/dist/2020.js')).toEqual({ kind: 'package', name: 'ajv' });
    expect(resolveSpecifier('x.ts', '@sinclair/typebox/value')).toEqual({ kind: 'package', name: '@sinclair/typebox' });
  });

  it('picks the most specific rule', () => {
    expect(ruleFor('agent/src/core/plan.ts')?.folder).toBe('agent/src/core/');
    expect(ruleFor('agent/src/sync/apply.ts')?.folder).toBe('agent/');
    expect(ruleFor('vitest.config.ts')).toBeUndefined();
  });
});
