// Devices by exposure, highest score first, filtered by level and paged by cursor (GET
// /v1/admin/vulnerabilities/devices?level&cursor&limit); each row links to the device's Vulnerabilities tab.
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { CursorPager } from '../paging.js';
import { href, navigate } from '../router.js';
import type { DeviceExposureList, ExposureLevel } from '../types.js';
import { Badge, DataTable, ErrorText, formatTime, Loading } from '../ui.js';
import { DeviceCell } from './vulnerability-tables.js';

const PAGE_SIZE = 50;
const PARTS = ['vulnerabilities', 'devices'] as const;
// Every level (the Record makes a level added to the schema a compile error here until it is listed).
const LEVELS: Readonly<Record<ExposureLevel, true>> = { high: true, medium: true, low: true, none: true };

export function ExposureDevicesPage({ query }: { query: URLSearchParams }) {
  const q = { level: query.get('level') ?? undefined, cursor: query.get('cursor') ?? undefined };
  const page = useLoad(() => api<DeviceExposureList>('GET', withQuery('/v1/admin/vulnerabilities/devices', { ...q, limit: PAGE_SIZE })), [query.toString()]);
  return (
    <>
      <form class="filters" aria-label="Exposure filters" onSubmit={(e) => e.preventDefault()}>
        <span>
          <label for="exp-level">Exposure level</label>
          <select id="exp-level" value={q.level ?? ''} onChange={(e) => navigate(href(...PARTS, { level: e.currentTarget.value || undefined }))}>
            <option value="">any</option>
            {Object.keys(LEVELS).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </span>
      </form>
      {page.loading && <Loading what="devices" />}
      <ErrorText error={page.error} />
      {page.data &&
        (page.data.items.length === 0 ? (
          <p class="muted">No device{q.level ? ` at exposure level ${q.level}` : ' with computed exposure'}.</p>
        ) : (
          <DataTable
            testId="exposure-devices"
            caption="Devices by exposure, highest score first"
            columns={['Device', 'Level', 'Score', 'Advisories', 'Critical / high / medium / low', 'Vulnerable software', 'Software collected']}
          >
            {page.data.items.map((d) => (
              <tr key={d.deviceId} data-device={d.deviceId}>
                <DeviceCell deviceId={d.deviceId} name={d.deviceName} />
                <td>
                  <Badge value={d.level} />
                </td>
                <td>{d.score}</td>
                <td>{d.advisories}</td>
                <td>
                  {d.bySeverity.critical} / {d.bySeverity.high} / {d.bySeverity.medium} / {d.bySeverity.low}
                </td>
                <td>
                  {d.vulnerableSoftware} of {d.softwareItems}
                  {d.softwareTruncated ? ' (truncated)' : ''}
                </td>
                <td>{formatTime(d.softwareCollectedAt)}</td>
              </tr>
            ))}
          </DataTable>
        ))}
      <CursorPager parts={PARTS} query={q} nextCursor={page.data?.nextCursor} />
    </>
  );
}
