// The device page's Software tab (GET /v1/admin/devices/:id/software: every item the device last uploaded, filtered
// in the page and paged: up to 20,000 items) and Vulnerabilities tab (GET …/vulnerabilities: exposure level and score,
// the findings table). Package names, versions and vendors come from the device: text nodes only, each in a <bdi>.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import { usePage } from '../paging.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { DeviceSoftware, DeviceVulnerabilities } from '../types.js';
import { Badge, DataTable, ErrorText, formatTime, Loading } from '../ui.js';

const SOFTWARE_PAGE = 100;
const FINDINGS_PAGE = 100;

const path = (id: string, sub: string) => `/v1/admin/devices/${encodeURIComponent(id)}/${sub}`;

export function SoftwareTab({ deviceId }: { deviceId: string }) {
  const software = useLoad(() => api<DeviceSoftware>('GET', path(deviceId, 'software')), [deviceId]);
  const [filter, setFilter] = useState('');
  const inv = software.data?.inventory;
  const items = useMemo(() => {
    const all = inv?.items ?? [];
    const f = filter.trim().toLowerCase();
    if (!f) return all;
    return all.filter((i) => [i.name, i.version, i.vendor ?? '', i.architecture ?? '', i.source].some((v) => v.toLowerCase().includes(f)));
  }, [inv, filter]);
  const { rows, pager } = usePage(items, SOFTWARE_PAGE);
  if (software.loading) return <Loading what="the software inventory" />;
  if (software.error) return <ErrorText error={software.error} />;
  if (!inv) return <p class="muted">The device has not uploaded its software inventory yet.</p>;
  return (
    <>
      <p>
        {inv.items.length} items collected {formatTime(inv.collectedAt)} on <bdi>{inv.os.name}</bdi> <bdi>{inv.os.version}</bdi>
        {inv.os.build ? (
          <>
            {' '}
            (build <bdi>{inv.os.build}</bdi>)
          </>
        ) : null}
        , received {formatTime(software.data?.receivedAt)}.
      </p>
      {inv.truncated && (
        <p class="error" role="note" data-testid="software-truncated">
          Truncated: the device had more software than one inventory holds; the rest is not listed and not matched.
        </p>
      )}
      <p>
        <label for="sw-filter">Filter</label>{' '}
        <input id="sw-filter" type="search" value={filter} placeholder="name, version, vendor…" onInput={(e) => setFilter(e.currentTarget.value)} />{' '}
        <span class="muted" aria-live="polite">
          {items.length} shown
        </span>
      </p>
      <DataTable testId="device-software" caption="Installed software" columns={['Name', 'Version', 'Vendor', 'Architecture', 'Source']}>
        {rows.map((i) => (
          <tr key={`${i.source}\u0000${i.name}\u0000${i.architecture ?? ''}\u0000${i.version}\u0000${i.installPath ?? ''}`}>
            <th scope="row">
              <bdi>{i.name}</bdi>
              {i.sourceName && (
                <span class="muted">
                  {' '}
                  (source <bdi>{i.sourceName}</bdi>)
                </span>
              )}
            </th>
            <td>
              <code>
                <bdi>{i.version || '—'}</bdi>
              </code>
            </td>
            <td>
              <bdi>{i.vendor ?? '—'}</bdi>
            </td>
            <td>
              <bdi>{i.architecture ?? '—'}</bdi>
            </td>
            <td>{i.source}</td>
          </tr>
        ))}
      </DataTable>
      {pager}
    </>
  );
}

/** `can.readVulnerabilities` links each advisory to its page (a group-scoped admin reads findings, not the fleet's advisories). */
export function VulnerabilitiesTab({ deviceId, can }: { deviceId: string; can: Abilities }) {
  const vulnerabilities = useLoad(() => api<DeviceVulnerabilities>('GET', path(deviceId, 'vulnerabilities')), [deviceId]);
  const findings = vulnerabilities.data?.findings ?? [];
  const { rows, pager } = usePage(findings, FINDINGS_PAGE);
  if (vulnerabilities.loading) return <Loading what="the device's vulnerabilities" />;
  if (vulnerabilities.error) return <ErrorText error={vulnerabilities.error} />;
  const e = vulnerabilities.data?.exposure;
  if (!e) return <p class="muted">No exposure computed: the device has not uploaded its software inventory yet.</p>;
  return (
    <>
      <p data-testid="device-exposure">
        Exposure level <Badge value={e.level} />, score {e.score} of 100: {e.advisories} advisories ({e.bySeverity.critical} critical, {e.bySeverity.high} high,{' '}
        {e.bySeverity.medium} medium, {e.bySeverity.low} low) in {e.vulnerableSoftware} of {e.softwareItems} software items
        {e.softwareTruncated ? ' (inventory truncated)' : ''}; computed {formatTime(e.computedAt)}.
      </p>
      {findings.length === 0 ? (
        <p class="muted">No known vulnerability in this device's software.</p>
      ) : (
        <DataTable
          testId="device-findings"
          caption="Findings, most severe first"
          columns={['Advisory', 'CVEs', 'Severity', 'CVSS', 'Software', 'Installed', 'Fixed version']}
        >
          {rows.map((f) => (
            <tr key={`${f.advisoryId}\u0000${f.software.name}\u0000${f.software.version}\u0000${f.software.architecture ?? ''}`}>
              <th scope="row">
                {can.readVulnerabilities ? (
                  <a href={href('vulnerabilities', 'advisories', f.advisoryId)} title={f.summary}>
                    <bdi>{f.advisoryId}</bdi>
                  </a>
                ) : (
                  <bdi title={f.summary}>{f.advisoryId}</bdi>
                )}
              </th>
              <td>{f.cveIds.join(', ') || '—'}</td>
              <td>
                <Badge value={f.severity} />
              </td>
              <td>{f.cvssScore ?? '—'}</td>
              <td>
                <bdi>{f.software.name}</bdi>
                {f.software.matchedName && f.software.matchedName !== f.software.name && (
                  <span class="muted">
                    {' '}
                    (source <bdi>{f.software.matchedName}</bdi>)
                  </span>
                )}
              </td>
              <td>
                <code>
                  <bdi>{f.software.version}</bdi>
                </code>
              </td>
              <td>{f.fixedVersion ? <code>{f.fixedVersion}</code> : 'no fix yet'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {pager}
    </>
  );
}
