// The Vulnerabilities page (issue 18, Defender's vulnerability management): the fleet dashboard (GET
// /v1/admin/vulnerabilities: advisories stored, last import, exposed devices, exposure levels, top software, advisories
// and recommendations) and the section's own routes: recommendations, a recommendation, an advisory, devices by
// exposure. Software names, advisory summaries and device names are data: text nodes only.
import { api } from '../api.js';
import { BarChart } from '../chart.js';
import { useLoad } from '../hooks.js';
import { href, type Route } from '../router.js';
import type { Abilities } from '../session.js';
import type { VulnerabilityDashboard } from '../types.js';
import { Badge, DataTable, ErrorText, formatTime, Loading } from '../ui.js';
import { AdvisoryPage } from './advisory.js';
import { ExposureDevicesPage } from './exposure-devices.js';
import { RecommendationPage } from './recommendation.js';
import { RecommendationsPage } from './recommendations.js';
import { AdvisoryTable, RecommendationTable } from './vulnerability-tables.js';

/** The section's sub-navigation: overview, recommendations, devices by exposure. */
export function VulnerabilityNav({ current }: { current: string }) {
  const links = [
    ['', 'Overview'],
    ['recommendations', 'Recommendations'],
    ['devices', 'Devices by exposure'],
  ] as const;
  return (
    <nav aria-label="Vulnerability management" class="subnav">
      {links.map(([key, label]) => (
        <a key={key} href={key ? href('vulnerabilities', key) : href('vulnerabilities')} aria-current={current === key ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

function Dashboard() {
  const dash = useLoad(() => api<VulnerabilityDashboard>('GET', '/v1/admin/vulnerabilities'), []);
  const d = dash.data;
  return (
    <>
      {dash.loading && <Loading what="the vulnerability dashboard" />}
      <ErrorText error={dash.error} />
      {d && (
        <>
          <dl class="facts" data-testid="vulnerability-totals">
            <dt>Advisories stored</dt>
            <dd>{d.advisoriesStored}</dd>
            <dt>Last import</dt>
            <dd>{formatTime(d.lastImportAt)}</dd>
            <dt>Devices with software</dt>
            <dd>{d.devicesWithSoftware}</dd>
            <dt>Exposed devices</dt>
            <dd>{d.exposedDevices}</dd>
          </dl>
          <div class="charts">
            <div class="card">
              <BarChart title="Exposure level" bars={(['high', 'medium', 'low', 'none'] as const).map((l) => ({ label: l, value: d.byLevel[l] }))} />
              <ul class="chips" aria-label="Devices by exposure level">
                {(['high', 'medium', 'low', 'none'] as const).map((l) => (
                  <li key={l}>
                    <a href={href('vulnerabilities', 'devices', { level: l })}>
                      {l}: {d.byLevel[l]}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          </div>
          <h2>Top security recommendations</h2>
          <RecommendationTable items={d.topRecommendations} caption="Most exposed devices first" />
          <h2>Top vulnerable software</h2>
          {d.topSoftware.length === 0 ? (
            <p class="muted">No vulnerable software.</p>
          ) : (
            <DataTable
              testId="top-software"
              caption="Most exposed devices first"
              columns={['Software', 'Ecosystem', 'Exposed devices', 'Advisories', 'Highest severity']}
            >
              {d.topSoftware.map((s) => (
                <tr key={`${s.ecosystem}\u0000${s.software}`}>
                  <th scope="row">
                    <a href={href('vulnerabilities', 'recommendations', { search: s.software, ecosystem: s.ecosystem })}>
                      <bdi>{s.software}</bdi>
                    </a>
                  </th>
                  <td>
                    <bdi>{s.ecosystem}</bdi>
                  </td>
                  <td>{s.exposedDevices}</td>
                  <td>{s.advisories}</td>
                  <td>
                    <Badge value={s.highestSeverity} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          <h2>Top advisories</h2>
          <AdvisoryTable items={d.topAdvisories} caption="Most exposed devices first" />
        </>
      )}
    </>
  );
}

/** `#/vulnerabilities[/recommendations[/<id>]|/advisories/<id>|/devices]`. */
export function VulnerabilitiesPage({ route, can }: { route: Route; can: Abilities }) {
  const [, sub = '', id] = route.parts;
  if (sub === 'recommendations' && id) return <RecommendationPage recommendationId={id} can={can} />;
  if (sub === 'advisories' && id) return <AdvisoryPage advisoryId={id} />;
  return (
    <section aria-labelledby="vuln-h">
      <h1 id="vuln-h">Vulnerabilities</h1>
      <VulnerabilityNav current={sub} />
      {sub === 'recommendations' ? (
        <RecommendationsPage query={route.query} />
      ) : sub === 'devices' ? (
        <ExposureDevicesPage query={route.query} />
      ) : (
        <Dashboard />
      )}
    </section>
  );
}
