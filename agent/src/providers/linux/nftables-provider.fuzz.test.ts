// Fuzz: the remembered rule notation in the state dir (the rules as the policy last wrote them, read once after a
// restart). A mutated file must never break observe: unreadable or ill-formed entries fall back to nft's canonical
// notation; the readings of the recorded table stay JSON values.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcomeAsync, FUZZ_RUNS, hostileJsonText, pathologicalTexts } from '../../../../test/fuzz.js';
import { POLICY_DOCUMENTS } from '../../../../test/fuzz-samples.js';
import { type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { FIREWALL_FIELDS, settingIdOf } from './nftables-model.js';
import { createLinuxFirewallProvider } from './nftables-provider.js';

const LISTING = readFileSync(new URL('testdata/nftables-full.json', import.meta.url), 'utf8');
const RULES = POLICY_DOCUMENTS.filter((d) => d.kind === 'linuxFirewall').map((d) => d.settings['linuxFirewall.rules']);
const PATH = '/state/linux-firewall-rules.json';
const IDS = FIREWALL_FIELDS.map(settingIdOf);

async function check(notation: string): Promise<void> {
  const files = new MemoryFileStore();
  await files.writeAtomic(PATH, notation);
  const runner = new ScriptedCommandRunner((spec: CommandSpec) =>
    spec.args[0] === '--version' ? { stdout: 'nftables v1.0.6 (Lester Gooch #5)\n' } : { stdout: LISTING },
  );
  const provider = createLinuxFirewallProvider({ runner }, { notation: { files, path: PATH } });
  const out = await clearOutcomeAsync((ids: string[]) => provider.observe(ids), IDS, []);
  if (out.ok) expect(() => JSON.stringify([...out.value.values()])).not.toThrow();
}

describe('remembered nft rule notation under fuzzing', () => {
  it('the example rules are a sample', () => {
    expect(RULES.length).toBeGreaterThan(0);
  });

  it('mutated notation files never break observe', async () => {
    await fc.assert(fc.asyncProperty(hostileJsonText(RULES), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(JSON.stringify(RULES[0])))('pathological notation file finishes clearly: $name', ({ text }) => check(text));
});

describe('remembered notation regressions found by fuzzing', () => {
  it.each(['[null]', '[{"name":"ssh","localPorts":5}]', '[1,"x"]'])('a notation file %s is ignored, not a TypeError in observe', async (text) => {
    await check(text);
  });
});
