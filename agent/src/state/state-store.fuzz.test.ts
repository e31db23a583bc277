// Fuzz: every file the agent reads from its state dir (identity, policies cache, status, baseline, applied versions,
// policy-set floor, signals, and the two outboxes), written mutated into a memory file store: STATE_CORRUPT naming
// the file, or a value that passed its schema. Outboxes never throw: an unreadable message is dropped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { clearOutcomeAsync, FUZZ_RUNS, fuzzRuns, hostileJsonText, pathologicalTexts } from '../../../test/fuzz.js';
import * as S from '../../../test/fuzz-samples.js';
import { MemoryFileStore } from '../system/file-store.js';
import { StateStore } from './state-store.js';

const DIR = '/state';

/** The reader of each state file. */
const READERS: Record<string, (store: StateStore) => Promise<unknown>> = {
  'identity.json': (s) => s.readIdentity(),
  'policies.json': (s) => s.readPolicies(),
  'status.json': (s) => s.readStatus(),
  'baseline.json': (s) => s.readBaseline(),
  'applied-versions.json': (s) => s.readAppliedVersions(),
  'policy-set.json': (s) => s.readSetFloor(),
  'signals.json': (s) => s.readSignals(),
};

async function storeWith(contents: Readonly<Record<string, string>>): Promise<StateStore> {
  const files = new MemoryFileStore();
  const store = new StateStore(DIR, { posixPermissions: false, files });
  await store.init();
  for (const [path, text] of Object.entries(contents)) await files.writeAtomic(`${DIR}/${path}`, text);
  return store;
}

async function checkFile(name: string, text: string): Promise<void> {
  const read = READERS[name] as (store: StateStore) => Promise<unknown>;
  const out = await clearOutcomeAsync(read, await storeWith({ [name]: text }));
  // What was read is written back or printed later: it must serialise.
  if (out.ok) expect(() => JSON.stringify(out.value)).not.toThrow();
  else {
    expect(out.error).toMatchObject({ code: 'STATE_CORRUPT' });
    expect(out.error.message).toContain(name);
  }
}

const REPORT_FILE = `outbox/${'0'.repeat(15)}1-${S.STATUS_REPORT.reportId}.json`;
const HEALTH_FILE = `signals-outbox/${'0'.repeat(15)}1-health-${S.STATUS_REPORT.reportId}.json`;

/** Queued messages: mutated files are dropped or read back valid, never thrown. */
async function checkOutboxes(report: string, health: string): Promise<void> {
  const store = await storeWith({ [REPORT_FILE]: report, [HEALTH_FILE]: health });
  const reports = await clearOutcomeAsync(() => store.pendingReports(), undefined, []);
  if (reports.ok) for (const r of reports.value) expect(JSON.stringify(r.report)).toContain(r.report.reportId);
  const signals = await clearOutcomeAsync(() => store.pendingSignals(), undefined, []);
  if (signals.ok) for (const s of signals.value) expect(JSON.stringify(s.message.body)).toContain(S.DEVICE);
}

describe('state files under fuzzing', () => {
  it.each(Object.keys(READERS))('%s: the valid sample reads back', async (name) => {
    const store = await storeWith({ [name]: JSON.stringify(S.STATE_FILES[name]) });
    expect(await (READERS[name] as (s: StateStore) => Promise<unknown>)(store)).toBeDefined();
  });

  it.each(Object.keys(READERS))('%s: mutated, STATE_CORRUPT naming the file or a valid value', async (name) => {
    await fc.assert(
      fc.asyncProperty(hostileJsonText([S.STATE_FILES[name]]), (text) => checkFile(name, text)),
      fuzzRuns(60),
    );
  });

  it('outboxes (status reports, signals): mutated messages are dropped or read back, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJsonText([S.STATUS_REPORT]), hostileJsonText([{ deviceId: S.DEVICE, health: S.HEALTH }]), checkOutboxes),
      FUZZ_RUNS,
    );
  });

  it.each(pathologicalTexts(JSON.stringify(S.STATE_FILES['policies.json'])))('pathological content finishes clearly: $name', async ({ text }) => {
    for (const name of Object.keys(READERS)) await checkFile(name, text);
    await checkOutboxes(text, text);
  });

  it('the device key file: missing is STATE_CORRUPT naming it', async () => {
    const store = await storeWith({ 'identity.json': JSON.stringify(S.IDENTITY) });
    await expect(store.readPrivateKeyPem()).rejects.toBeInstanceOf(AttacheError);
  });

  it('regression: a status.json with a 10k-deep object inside a setting value is STATE_CORRUPT, not a later RangeError', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const text = JSON.stringify(S.STATE_FILES['status.json']).replace('"desired":[{', `"desired":[{"deep":${deep},`);
    await checkFile('status.json', text);
    await expect((await storeWith({ 'status.json': text })).readStatus()).rejects.toThrow(/status\.json nests deeper than 64 levels/);
  });

  it('regression: a queued report with a 10k-deep object is dropped, not sent to fail forever', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const text = JSON.stringify(S.STATUS_REPORT).replace('"desired":[{', `"desired":[{"deep":${deep},`);
    const store = await storeWith({ [REPORT_FILE]: text });
    expect(await store.pendingReports()).toEqual([]);
  });
});
