// The recommendation detail reads its devices (with their exposure level) in one bounded query, and the advisories'
// device counts in one more, however many devices are exposed: counted through a store proxy (review 18 M4).
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { createSilentLogger } from '../../logging.js';
import type { ManagementStore } from '../../store/store.js';
import { countingProxy } from '../../store/testing/counting-store.js';
import { freshStorePerTest, STORE_ENGINES } from '../../store/testing/store-engines.js';
import type { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { recommendationDetailView } from './fleet-views.js';
import { recommendationId } from './matching/recommendations.js';
import { debianUpload, deviceIn, OSV_FILE } from './testing/service-fixtures.js';
import { createVulnerabilityService } from './vulnerability-service.js';

const NOW = Date.parse('2025-03-10T12:00:00.000Z');

describe.each(STORE_ENGINES)('%s: recommendation detail', (engineName) => {
  let store: ManagementStore;
  freshStorePerTest(engineName, (s) => {
    store = s;
  });
  beforeEach(async () => {
    const service = createVulnerabilityService({ store, devices: store, clock: new ManualClock(NOW), logger: createSilentLogger() });
    await service.importAdvisories({ bytes: OSV_FILE, fileName: 'debian.json' }, { adminId: null, username: 'admin' });
    for (let k = 0; k < 6; k++) {
      const deviceId = await deviceIn(store, '2025-03-01T00:00:00.000Z', `deb-${k}`);
      await service.acceptSoftware(deviceId, debianUpload(deviceId));
    }
  });

  it('reads devices and levels in one query, not one per device, and caps them in the store', async () => {
    const { proxy, calls } = countingProxy<VulnerabilityStore>(store);
    const detail = await recommendationDetailView({ store: proxy }, recommendationId('Debian:12', 'openssl'));
    expect(detail.devices).toHaveLength(6);
    expect(detail.devices.every((d) => d.level === 'high')).toBe(true);
    expect(detail.devices[0]?.installed.map((i) => i.name).sort()).toEqual(['libssl3', 'openssl']);
    expect(calls.get('getExposure') ?? 0).toBe(0);
    expect(calls.get('exposedDevicesOfAdvisory') ?? 0).toBe(0);
    const withoutAdvisoryReads = [...calls].filter(([name]) => name !== 'getAdvisory').reduce((n, [, c]) => n + c, 0);
    expect(withoutAdvisoryReads).toBeLessThanOrEqual(5);
    expect(detail.advisories.map((a) => [a.advisoryId, a.exposedDevices])).toEqual([['DSA-5532-1', 6]]);
  });
});
