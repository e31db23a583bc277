// Fuzz: what Microsoft Defender for Endpoint on Linux and macOS prints or keeps: `mdatp health --output json`,
// `mdatp threat list --output json`, and the managed configuration (mdatp_managed.json, the wdav property list) as the
// codecs parse it. A clear Error naming the output or file, or a reading of the right shape.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, clearOutcomeAsync, FUZZ_RUNS, hostileJsonText, hostileText, pathologicalTexts } from '../../../../test/fuzz.js';
import { parseMdatpThreats } from '../../risk/threats.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { PLIST_CODEC } from '../macos/wdav-providers.js';
import { parseMdatpHealth } from './health.js';
import { JSON_CODEC, ManagedConfigError, ManagedConfigFile } from './managed-config.js';

const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const HEALTH = ['mdatp-health-healthy.json', 'mdatp-health-unhealthy.json'].map((f) => JSON.parse(text(`../linux/testdata/${f}`)) as unknown);
const MANAGED = JSON.parse(text('../linux/testdata/mdatp-managed-expected.json')) as unknown;
const PLIST = text('../macos/testdata/wdav-managed-expected.plist');
const THREATS = [
  [
    { id: 'a1', name: 'EICAR-Test-File (not a virus)', threatStatus: { $type: 'quarantined' }, resources: ['/home/u/eicar.com'] },
    { id: 'b2', name: 'Linux/Mirai', threatStatus: 'active', resources: ['/tmp/.m'], detectionTime: 1764496800000 },
    { threat_id: 'c3', threat_name: 'Linux/Xmrig', threat_status: 'remediation_failed', path: '/opt/x' },
  ],
  { threats: [{ threatId: 'd4', threatName: 'Mac/Pirrit', state: 'active', filePath: '/Applications/x.app' }] },
];

function checkHealth(input: string): void {
  const out = clearOutcome(parseMdatpHealth, input, [Error]);
  if (!out.ok) return;
  expect(typeof out.value.healthy).toBe('boolean');
  for (const issue of out.value.healthIssues) expect(typeof issue).toBe('string');
}

function checkThreats(input: string): void {
  const out = clearOutcome(parseMdatpThreats, input, [Error]);
  if (out.ok) for (const t of out.value) expect(t.threatId.length).toBeGreaterThan(0);
}

/** The managed file as its providers read it: ManagedConfigError naming the file (never caused by a TypeError or a
 * stack overflow), or a plain document. */
async function checkManaged(input: string): Promise<void> {
  for (const codec of [JSON_CODEC, PLIST_CODEC]) {
    const files = new MemoryFileStore();
    await files.writeAtomic('/etc/opt/microsoft/mdatp/managed/mdatp_managed.json', input);
    const file = new ManagedConfigFile({ path: '/etc/opt/microsoft/mdatp/managed/mdatp_managed.json', codec, write: {}, dirMode: 0o755 }, files);
    const doc = await clearOutcomeAsync(() => file.read(), undefined, [ManagedConfigError]);
    if (doc.ok) expect(() => JSON.stringify(doc.value)).not.toThrow();
    else for (const crash of [TypeError, RangeError]) expect(doc.error.cause).not.toBeInstanceOf(crash);
  }
}

describe('mdatp outputs and managed configuration under fuzzing', () => {
  it('regression: a 10k-deep mdatp_managed.json is refused when read, not a RangeError when written back', async () => {
    const files = new MemoryFileStore();
    await files.writeAtomic('/m.json', `${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}`);
    const file = new ManagedConfigFile({ path: '/m.json', codec: JSON_CODEC, write: {}, dirMode: 0o755 }, files);
    await expect(file.update(() => ({ changed: true, result: 1 }))).rejects.toThrow(/m\.json is not a valid JSON document.*nested deeper than 64 levels/);
  });

  it('mdatp health: clear error or a health reading', () => {
    fc.assert(fc.property(hostileJsonText(HEALTH), checkHealth), FUZZ_RUNS);
  });

  it('mdatp threat list: clear error or threats with ids', () => {
    fc.assert(fc.property(hostileJsonText(THREATS), checkThreats), FUZZ_RUNS);
  });

  it('managed configuration (JSON, property list): clear error naming the file or a plain document', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(hostileJsonText([MANAGED]), hostileText([PLIST])), checkManaged), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(JSON.stringify(HEALTH[0])))('pathological input finishes clearly: $name', async ({ text: input }) => {
    checkHealth(input);
    checkThreats(input);
    await checkManaged(input);
  });
});
