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
    expect(out).toEqual([expect.stringMatching(/^agent\/src\/core\/plan\.ts:2: imports node:fs — agent\/src\/core\/: the core is pure/)]);
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
    expect(out.map((l) => l.split(': the')[0]?.split(' (')[0])).toEqual([
      'agent/src/core/plan.ts:1: imports winston — agent/src/core/',
      'agent/src/core/plan.ts:2: imports agent/src/transport/endpoint-client.ts — agent/src/core/',
      'agent/src/core/plan.ts:2: imports agent/src/transport/endpoint-client.ts — layering: core/ is in layer 1',
      'agent/src/core/plan.ts:3: imports common/validation.ts — agent/src/core/',
      'agent/src/core/plan.ts:4: imports fs/promises — agent/src/core/',
    ]);
  });

  it('reports an agent file importing management/ or simulator/', () => {
    const out = check({
      'agent/src/sync/sync-engine.ts': "import { x } from '../../../management/src/store/store.js';\nexport { y } from '../../../simulator/fleet.js';\n",
    });
    expect(out).toEqual([
      expect.stringMatching(/^agent\/src\/sync\/sync-engine\.ts:1: imports management\/src\/store\/store\.ts — agent\/: /),
      expect.stringMatching(/^agent\/src\/sync\/sync-engine\.ts:2: imports simulator\/fleet\.ts — agent\/: /),
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
      expect.stringContaining('management/src/service/policies.ts:1: imports agent/src/core/plan.ts — management/: '),
      expect.stringContaining('management/src/service/policies.ts:2: imports agent/src/version.ts — management/: '),
    ]);
  });

  it('reports process.platform outside agent/src/platform/', () => {
    const out = check({
      'agent/src/providers/linux.ts': "const a = 1;\nif (process.platform === 'linux') run();\n",
      'agent/src/sync/x.ts': "const { platform } = process;\nconst p = process['platform'];\nconst q = process?.platform;\n",
    });
    expect(out).toEqual([
      'agent/src/providers/linux.ts:2: reads process.platform — only agent/src/platform/ decides the platform',
      expect.stringContaining('agent/src/sync/x.ts:1: reads process.platform — '),
      expect.stringContaining('agent/src/sync/x.ts:2: reads process.platform — '),
      expect.stringContaining('agent/src/sync/x.ts:3: reads process.platform — '),
    ]);
  });

  it('reports time, timers and randomness taken outside the injected clock', () => {
    const out = check({
      'agent/src/risk/x.ts': 'const t = Date.now();\nsetTimeout(run, 5);\nconst r = Math.random();\nsocket.setTimeout(5, f);\n',
      'management/src/service/y.ts': "import { setTimeout as sleep } from 'node:timers/promises';\nsetInterval(tick, 1000);\n",
      'simulator/src/run/z.ts': 'setImmediate(go);\n',
      'common/clock.ts': 'const n = Date.now();\nsetTimeout(run, 1);\n',
      'agent/src/risk/x.test.ts': 'const t = Date.now();\n',
      'common/testing/manual-clock.ts': 'setImmediate(go);\n',
    });
    expect(out.map((l) => l.split(': uses')[0])).toEqual([
      'agent/src/risk/x.ts:1',
      'agent/src/risk/x.ts:2',
      'agent/src/risk/x.ts:3',
      'management/src/service/y.ts:1',
      'management/src/service/y.ts:2',
      'simulator/src/run/z.ts:1',
    ]);
    expect(out[0]).toContain('take them from the injected Clock (common/clock.ts)');
  });

  it('holds the browser console to preact and policy-schemas/, outside the clock rule', () => {
    const out = check({
      'management/console/app/pages/x.tsx':
        "import { useState } from 'preact/hooks';\nimport type { Device } from '../../../../policy-schemas/src/index.js';\nimport { readFileSync } from 'node:fs';\nimport { h } from 'react';\nimport { x } from '../../../src/service/x.js';\nconst t = Date.now();\n",
    });
    expect(out.map((l) => l.split(' — ')[0])).toEqual([
      'management/console/app/pages/x.tsx:3: imports node:fs',
      'management/console/app/pages/x.tsx:4: imports react',
      'management/console/app/pages/x.tsx:5: imports management/src/service/x.ts',
    ]);
  });

  it('reports policy-schemas/ and common/ reaching outside their allowance', () => {
    const out = check({
      'policy-schemas/src/policy.ts': "import { createHash } from 'node:crypto';\nimport { x } from '../../common/errors.js';\n",
      'common/validation.ts': "import { y } from '../agent/src/version.js';\nimport winston from 'winston';\n",
    });
    expect(out.map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual([
      'common/validation.ts:1: imports agent/src/version.ts — common/',
      'common/validation.ts:2: imports winston — common/',
      'policy-schemas/src/policy.ts:1: imports node:crypto — policy-schemas/',
      'policy-schemas/src/policy.ts:2: imports common/errors.ts — policy-schemas/',
    ]);
  });

  it('still applies folder rules to repo imports of test files', () => {
    expect(check({ 'agent/src/sync/x.test.ts': "import { s } from '../../../management/src/main.js';\n" })).toHaveLength(1);
  });
});

describe('check-boundaries: test support', () => {
  it('reports product code importing a testing/ folder or test/, in agent, management, common and the simulator', () => {
    const out = check({
      'agent/src/sync/apply.ts': "import { runContractSuite } from '../providers/testing/contract-suite.js';\n",
      'agent/src/daemon/daemon.ts': "import type { Harness } from '../../../test/harness.js';\n",
      'management/src/service/policies.ts': "const m = await import('../testing/test-endpoint.js');\n",
      'simulator/src/fleet/sim-host.ts': "export { ManualClock } from '../../../common/testing/manual-clock.js';\n",
    });
    expect(out).toEqual([
      'agent/src/daemon/daemon.ts:1: imports test/harness.ts — product code never imports test support (test/, testing/ folders); only tests, test support, bench/ and scripts/ do',
      expect.stringContaining('agent/src/sync/apply.ts:1: imports agent/src/providers/testing/contract-suite.ts — product code never imports test support'),
      expect.stringContaining(
        'management/src/service/policies.ts:1: imports management/src/testing/test-endpoint.ts — product code never imports test support',
      ),
      expect.stringContaining('simulator/src/fleet/sim-host.ts:1: imports common/testing/manual-clock.ts — product code never imports test support'),
    ]);
  });

  it('lets tests, test support, benchmarks and scripts import test support', () => {
    const out = check({
      'agent/src/providers/windows/firewall.test.ts': "import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';\n",
      'agent/src/providers/mdatp/testing/test-host.ts':
        "import { EmulatedMdatp } from './emulated-mdatp.js';\nimport { s } from '../../testing/sample-values.js';\n",
      'management/src/testing/test-endpoint.ts': "import { ManualClock } from '../../../common/testing/manual-clock.js';\n",
      'bench/linux-firewall.bench.ts': "import { netns } from '../agent/src/providers/linux/testing/netns-harness.js';\n",
      'scripts/demo.ts': "import { startEndpoint } from '../test/harness.js';\n",
    });
    expect(out).toEqual([]);
  });
});

describe('check-boundaries: layering', () => {
  it('reports an upward import inside agent/src/, naming both files and the layers', () => {
    const out = check({
      'agent/src/risk/risk-monitor.ts': "import type { Clock } from '../daemon/clock.js';\nimport { plan } from '../core/plan.js';\n",
      'agent/src/state/state-store.ts': "import { x } from '../sync/sync-engine.js';\n",
    });
    expect(out).toEqual([
      'agent/src/risk/risk-monitor.ts:1: imports agent/src/daemon/clock.ts — layering: risk/ is in layer 5 (enrollment/, sync/, health/, inventory/, risk/) and may not import daemon/ in layer 7 (daemon/)',
      expect.stringContaining('agent/src/state/state-store.ts:1: imports agent/src/sync/sync-engine.ts — layering: state/ is in layer 2'),
    ]);
  });

  it('reports each import of a cycle between folders of one layer', () => {
    const out = check({
      'agent/src/sync/sync-engine.ts': "import { r } from '../risk/risk-monitor.js';\n",
      'agent/src/risk/risk-monitor.ts': "import { h } from '../health/health.js';\n",
      'agent/src/health/health.ts': "import { s } from '../sync/apply.js';\n",
      'agent/src/inventory/collect.ts': "import { h } from '../health/health.js';\n",
    });
    expect(out).toEqual([
      'agent/src/health/health.ts:1: imports agent/src/sync/apply.ts — layering: folder cycle health/ → sync/ → risk/ → health/ (folders of one layer may import each other, never in a cycle)',
      expect.stringContaining('agent/src/risk/risk-monitor.ts:1: imports agent/src/health/health.ts — layering: folder cycle risk/ → health/ → sync/ → risk/'),
      expect.stringContaining(
        'agent/src/sync/sync-engine.ts:1: imports agent/src/risk/risk-monitor.ts — layering: folder cycle sync/ → risk/ → health/ → sync/',
      ),
    ]);
  });

  it('reports a folder missing from the layer table, and an upward import inside management/src/', () => {
    const out = check({
      'agent/src/gadgets/gadget.ts': "import { plan } from '../core/plan.js';\n",
      'management/src/store/store.ts': "import { routes } from '../http/routes.js';\n",
    });
    expect(out).toEqual([
      'agent/src/gadgets/gadget.ts:1: imports agent/src/core/plan.ts — layering: agent/src/gadgets/ is in no layer of agent/src/ (add it to scripts/layering.ts and ARCHITECTURE.md)',
      'management/src/store/store.ts:1: imports management/src/http/routes.ts — layering: store/ is in layer 2 (store/) and may not import http/ in layer 5 (http/, admin-cli/, backup/)',
    ]);
  });

  it('allows downward and same-folder imports, and leaves tests and test support out of the layering', () => {
    const out = check({
      'agent/src/main.ts': "import { run } from './cli/run.js';\nimport { VERSION } from './version.js';\n",
      'agent/src/daemon/daemon.ts': "import { AgentRuntime } from '../runtime/agent-runtime.js';\nimport { x } from './instance-lock.js';\n",
      'agent/src/sync/sync-engine.ts': "import { r } from '../risk/risk-monitor.js';\n",
      'agent/src/state/state-store.test.ts': "import { Daemon } from '../daemon/daemon.js';\n",
      'agent/src/providers/testing/contract-suite.ts': "import { AgentRuntime } from '../../runtime/agent-runtime.js';\n",
      'management/src/http/server.ts': "import { s } from '../service/policies.js';\nimport { st } from '../store/store.js';\n",
    });
    expect(out).toEqual([]);
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
