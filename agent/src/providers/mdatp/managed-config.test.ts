// The shared managed file: read-modify-write keeps every key we do not manage, writes are serialised, a file that
// cannot be parsed is never overwritten, and the edr.tags mapping keeps other keys' tags.
import { describe, expect, it } from 'vitest';
import { MemoryFileStore } from '../../system/file-store.js';
import { JSON_CODEC, ManagedConfigFile } from './managed-config.js';
import { findNul, MDATP_SETTINGS } from './settings.js';

const PATH = '/etc/opt/microsoft/mdatp/managed/mdatp_managed.json';

function setting(id: string) {
  const s = MDATP_SETTINGS.get(id);
  if (!s) throw new Error(`no ${id}`);
  return s;
}

function file(files = new MemoryFileStore()) {
  return { files, config: new ManagedConfigFile({ path: PATH, codec: JSON_CODEC, write: { mode: 0o600 }, dirMode: 0o755 }, files) };
}

// A file as another tool or admin wrote it: keys of ours and of nobody we know, odd values, unicode, big numbers.
const FOREIGN = {
  antivirusEngine: {
    scanArchives: false,
    exclusions: [{ $type: 'excludedPath', path: '/srv/keep', isDirectory: true }],
    futureKey: { nested: [1, 2.5, null] },
  },
  vendorX: { 'weird key ✓': 'ünïcode \u2028 line sep', empty: {}, list: [], n: 12345678901234, f: -0.125, nil: null },
  edr: { tags: [{ key: 'AzureResourceId', value: '/subscriptions/1' }] },
};
const FOREIGN_TEXT = `{"antivirusEngine":${JSON.stringify(FOREIGN.antivirusEngine)},"vendorX":${JSON.stringify(FOREIGN.vendorX)},"edr":${JSON.stringify(FOREIGN.edr)},"__proto__":{"notAPrototype":true}}`;

describe('ManagedConfigFile', () => {
  it('keeps every key it does not manage, semantically unchanged, through set and remove', async () => {
    const { files, config } = file();
    await files.writeAtomic(PATH, FOREIGN_TEXT);
    const before = JSON.parse(FOREIGN_TEXT);
    await config.update((doc) => {
      const changed = [
        setting('mdatp.antivirusEngine.enforcementLevel').write(doc, 'real_time'),
        setting('mdatp.edr.tags').write(doc, ['finance']),
        setting('mdatp.networkProtection.enforcementLevel').write(doc, 'block'),
      ];
      return { changed: changed.some(Boolean), result: undefined };
    });
    const during = JSON.parse((await files.read(PATH)) ?? '');
    expect(during.vendorX).toEqual(before.vendorX);
    expect(during.antivirusEngine).toEqual({ ...before.antivirusEngine, enforcementLevel: 'real_time' });
    expect(during.edr.tags).toEqual([
      { key: 'AzureResourceId', value: '/subscriptions/1' },
      { key: 'GROUP', value: 'finance' },
    ]);
    expect(Object.hasOwn(during, '__proto__')).toBe(true);

    await config.update((doc) => {
      for (const id of ['mdatp.antivirusEngine.enforcementLevel', 'mdatp.edr.tags', 'mdatp.networkProtection.enforcementLevel'])
        setting(id).write(doc, undefined);
      return { changed: true, result: undefined };
    });
    expect(JSON.parse((await files.read(PATH)) ?? '')).toEqual(before);
    // Key order of the foreign keys is kept too.
    expect(Object.keys(JSON.parse((await files.read(PATH)) ?? ''))).toEqual(['antivirusEngine', 'vendorX', 'edr', '__proto__']);
  });

  it('does not rewrite the file when nothing changed', async () => {
    const { files, config } = file();
    await files.writeAtomic(PATH, '{"cloudService":{"enabled":true}}', { mode: 0o640 });
    await config.update((doc) => ({ changed: setting('mdatp.cloudService.enabled').write(doc, true), result: undefined }));
    expect(files.files.get(PATH)).toEqual({ data: '{"cloudService":{"enabled":true}}', mode: 0o640 });
  });

  it('never overwrites a file it cannot parse', async () => {
    const { files, config } = file();
    await files.writeAtomic(PATH, '{"antivirusEngine": {');
    await expect(config.update(() => ({ changed: true, result: undefined }))).rejects.toThrow(`${PATH} is not a valid JSON document, left unchanged: `);
    await expect(config.read()).rejects.toThrow(/not a valid JSON document/);
    await files.writeAtomic(PATH, '["an", "array"]');
    await expect(config.read()).rejects.toThrow(/the top level is not a JSON object/);
    expect(await files.read(PATH)).toBe('["an", "array"]');
  });

  it('serialises concurrent updates: none is lost', async () => {
    const { files, config } = file();
    const ids = ['mdatp.cloudService.enabled', 'mdatp.antivirusEngine.scanArchives', 'mdatp.antivirusEngine.enableFileHashComputation', 'mdatp.edr.groupIds'];
    await Promise.all(
      ids.map((id, i) => config.update((doc) => ({ changed: setting(id).write(doc, id === 'mdatp.edr.groupIds' ? 'g' : i % 2 === 0), result: undefined }))),
    );
    const doc = JSON.parse((await files.read(PATH)) ?? '');
    expect(doc).toEqual({ cloudService: { enabled: true }, antivirusEngine: { scanArchives: false, enableFileHashComputation: true }, edr: { groupIds: 'g' } });
  });

  it('a failed update does not block the next one', async () => {
    const { files, config } = file();
    await expect(
      config.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await config.update((doc) => ({ changed: setting('mdatp.cloudService.enabled').write(doc, false), result: undefined }));
    expect(await files.read(PATH)).toBe('{\n  "cloudService": {\n    "enabled": false\n  }\n}\n');
    expect(files.dirs.get('/etc/opt/microsoft/mdatp/managed')).toBe(0o755);
  });
});

describe('edr.tags mapping', () => {
  const tags = setting('mdatp.edr.tags');

  it('reads only GROUP values and writes them beside other keys', () => {
    const doc: Record<string, unknown> = { edr: { tags: [{ key: 'GROUP', value: 'a' }, { key: 'Other', value: 'o' }, 'junk'] } };
    expect(tags.read(doc)).toEqual(['a']);
    expect(tags.write(doc, ['b', 'c'])).toBe(true);
    expect(doc.edr).toEqual({
      tags: [{ key: 'Other', value: 'o' }, 'junk', { key: 'GROUP', value: 'b' }, { key: 'GROUP', value: 'c' }],
    });
    expect(tags.write(doc, ['b', 'c'])).toBe(false);
    expect(tags.write(doc, undefined)).toBe(true);
    expect(doc.edr).toEqual({ tags: [{ key: 'Other', value: 'o' }, 'junk'] });
  });

  it('an empty policy list is an empty array; removing our last tag removes the key', () => {
    const doc: Record<string, unknown> = {};
    expect(tags.read(doc)).toBeUndefined();
    tags.write(doc, []);
    expect(doc).toEqual({ edr: { tags: [] } });
    expect(tags.read(doc)).toEqual([]);
    tags.write(doc, ['x']);
    tags.write(doc, undefined);
    expect(doc).toEqual({});
  });
});

describe('findNul', () => {
  it('finds a NUL anywhere in a value', () => {
    expect(findNul('a\0')).toBe('value');
    expect(findNul(['ok', 'b\0'])).toBe('[1]');
    expect(findNul([{ $type: 'excludedPath', path: '/x\0' }])).toBe('[0].path');
    expect(findNul([{ 'k\0': 1 }])).toBe('[0].<key>');
    expect(findNul([{ path: '/fine', args: ['--x'] }])).toBeUndefined();
  });
});

describe('a setting that moved', () => {
  const lowfi = setting('mdatp.features.sendLowfiEvents');

  it('drops the key an earlier version wrote when the setting is written or removed, and says the document changed', () => {
    const doc: Record<string, unknown> = { features: { sendLowfiEvents: 'enabled', moduleLoad: 'enabled' } };
    expect(lowfi.read(doc)).toBeUndefined();
    expect(lowfi.write(doc, 'enabled')).toBe(true);
    expect(doc).toEqual({ features: { moduleLoad: 'enabled', supplementarySensorConfigurations: { sendLowfiEvents: 'enabled' } } });
    // Already in place: nothing to do.
    expect(lowfi.write(doc, 'enabled')).toBe(false);
    // An old key that reappears beside the new one is dropped even though the value is unchanged.
    (doc.features as Record<string, unknown>).sendLowfiEvents = 'disabled';
    expect(lowfi.write(doc, 'enabled')).toBe(true);
    expect(lowfi.write(doc, undefined)).toBe(true);
    expect(doc).toEqual({ features: { moduleLoad: 'enabled' } });
    expect(lowfi.write({ features: { sendLowfiEvents: 'enabled' } }, undefined)).toBe(true);
    expect(lowfi.write({}, undefined)).toBe(false);
  });
});
