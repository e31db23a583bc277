// Dashboard: the fleet by compliance state, risk level, last check-in and policy status (GET /v1/admin/dashboard),
// each as an inline-SVG bar chart that links to the device list filtered by that bucket.
import { api } from '../api.js';
import { type Bar, BarChart } from '../chart.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import { ErrorText, Loading } from '../ui.js';

type Counts = Record<string, number> | readonly { key?: string; label?: string; state?: string; count?: number; value?: number }[];

/** Counts as an object (`{compliant: 3}`) or a list (`[{key, count}]`), in the endpoint's order. */
export function toBars(counts: Counts | undefined): Bar[] {
  if (!counts) return [];
  if (Array.isArray(counts)) return counts.map((c) => ({ label: String(c.key ?? c.label ?? c.state ?? '?'), value: Number(c.count ?? c.value ?? 0) }));
  return Object.entries(counts as Record<string, number>).map(([label, value]) => ({ label, value: Number(value) }));
}

const SECTIONS: readonly { title: string; keys: readonly string[]; filter?: string }[] = [
  { title: 'Compliance state', keys: ['complianceState', 'compliance'], filter: 'complianceState' },
  { title: 'Risk level', keys: ['riskLevel', 'risk'], filter: 'riskLevel' },
  { title: 'Last check-in', keys: ['lastCheckIn', 'lastCheckin', 'checkIn'] },
  { title: 'Policy status', keys: ['policyStatus', 'policies'], filter: 'policyStatus' },
  { title: 'Platform', keys: ['platform'], filter: 'platform' },
];

export function DashboardPage() {
  const dash = useLoad(() => api<Record<string, unknown>>('GET', '/v1/admin/dashboard'), []);
  const totals = dash.data?.totals as { devices: number; active: number; connected: number; revoked: number } | undefined;
  return (
    <section aria-labelledby="dash-h">
      <h1 id="dash-h">Dashboard</h1>
      {dash.loading && <Loading what="the dashboard" />}
      <ErrorText error={dash.error} />
      {dash.data && (
        <>
          {totals && (
            <p>
              {totals.devices} devices: {totals.active} active, {totals.connected} connected now, {totals.revoked} revoked.
            </p>
          )}
          <div class="charts">
            {SECTIONS.map((s) => {
              const key = s.keys.find((k) => dash.data?.[k] !== undefined);
              const bars = toBars(key ? (dash.data?.[key] as Counts) : undefined);
              return (
                <div key={s.title} class="card">
                  <BarChart title={s.title} bars={bars} />
                  {s.filter && bars.length > 0 && (
                    <ul class="chips" aria-label={`Devices by ${s.title.toLowerCase()}`}>
                      {bars.map((b) => (
                        <li key={b.label}>
                          <a href={href('devices', { [s.filter as string]: b.label })}>
                            {b.label}: {b.value}
                          </a>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              );
            })}
          </div>
        </>
      )}
    </section>
  );
}
