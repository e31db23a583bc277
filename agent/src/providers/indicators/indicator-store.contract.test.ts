// The indicators provider on a real file system (temp dir), for each platform, plus the reader detection uses.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeFileStore } from '../../system/file-store.js';
import { describeProviderContract } from '../testing/contract-suite.js';
import { INDICATORS_FILE, IndicatorStoreProvider, readIndicators } from './indicator-store.js';

for (const platform of ['windows', 'macos', 'linux'] as const) {
  describeProviderContract({
    name: `indicator store (${platform}, temp dir)`,
    kind: 'indicators',
    platform,
    create: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'attache-ind-'));
      return {
        provider: new IndicatorStoreProvider({ path: join(dir, INDICATORS_FILE) }, { files: new NodeFileStore() }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  });
}

describe('indicator store', () => {
  it('writes the list owner-only and detection reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-ind-'));
    try {
      const files = new NodeFileStore();
      const path = join(dir, INDICATORS_FILE);
      const provider = new IndicatorStoreProvider({ path }, { files });
      const items = [{ type: 'processName', value: 'xmrig', action: 'block' }];
      expect(await provider.apply([{ settingId: 'indicators.items', kind: 'indicators', from: undefined, to: items }])).toEqual([
        { settingId: 'indicators.items', ok: true },
      ]);
      expect(await files.mode(path)).toBe(0o600);
      expect(await readIndicators(files, path)).toEqual(items);
      await provider.apply([{ settingId: 'indicators.items', kind: 'indicators', from: items, to: undefined }]);
      expect(await readIndicators(files, path)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
