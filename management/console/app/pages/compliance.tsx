// Compliance: the compliance policies (create with a form of the compliance settings, assign to a group, delete; an
// imported one shows the Intune compliance policy it came from) and the fleet overview
// (GET /v1/admin/compliance/devices): every device's state, decision and first reason.
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { fieldErrors } from '../catalog.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { CompliancePolicy, Group } from '../types.js';
import { announce, Badge, ConfirmAction, ErrorText, Field, IntuneSource, Loading } from '../ui.js';

interface Overview {
  devices: { deviceId: string; hostname: string; complianceState: string; decision: string; riskLevel: string; firstReason: string | null }[];
}

const BOOLEANS = ['requireRealTimeProtection', 'requireFirewall', 'requireSignaturesUpToDate'] as const;

function NewCompliancePolicy({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [maxRisk, setMaxRisk] = useState('');
  const [maxExposure, setMaxExposure] = useState('');
  const [flags, setFlags] = useState<Record<string, boolean>>({});
  const [hours, setHours] = useState('');
  const [grace, setGrace] = useState('0');
  const [error, setError] = useState<unknown>();
  const errors = error instanceof ApiError ? fieldErrors(error.details) : {};
  const submit = async (e: Event) => {
    e.preventDefault();
    const settings: Record<string, unknown> = { ...flags };
    if (maxRisk) settings.maxRiskLevel = maxRisk;
    if (maxExposure) settings.maxVulnerabilityExposureLevel = maxExposure;
    if (hours) settings.maxHoursSinceCheckin = Number(hours);
    try {
      await api('POST', '/v1/admin/compliance-policies', { name, settings, gracePeriodHours: Number(grace) });
      announce(`Compliance policy ${name} created.`);
      setError(undefined);
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-label="New compliance policy">
      <h2>New compliance policy</h2>
      <Field id="c-name" label="Name" error={errors.name}>
        <input id="c-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field id="c-risk" label="Highest machine risk level allowed">
        <select id="c-risk" value={maxRisk} onChange={(e) => setMaxRisk(e.currentTarget.value)}>
          <option value="">not configured</option>
          {['clear', 'low', 'medium', 'high'].map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <Field id="c-exposure" label="Highest vulnerability exposure level allowed">
        <select id="c-exposure" value={maxExposure} onChange={(e) => setMaxExposure(e.currentTarget.value)}>
          <option value="">not configured</option>
          {['none', 'low', 'medium', 'high'].map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      {BOOLEANS.map((b) => (
        <label key={b} class="inline">
          <input type="checkbox" checked={flags[b] ?? false} onChange={(e) => setFlags({ ...flags, [b]: e.currentTarget.checked })} /> {b}
        </label>
      ))}
      <Field id="c-hours" label="Hours since check-in at most" error={errors.settings}>
        <input id="c-hours" inputMode="numeric" value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
      </Field>
      <Field id="c-grace" label="Grace period (hours)" error={errors.gracePeriodHours}>
        <input id="c-grace" inputMode="numeric" value={grace} onInput={(e) => setGrace(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="primary">
        Create
      </button>
      <ErrorText error={error} />
    </form>
  );
}

export function CompliancePage({ can }: { can: Abilities }) {
  const policies = useLoad(() => api<{ compliancePolicies: CompliancePolicy[] }>('GET', '/v1/admin/compliance-policies'), []);
  const groups = useLoad(() => api<{ groups: Group[] }>('GET', '/v1/admin/groups'), []);
  const overview = useLoad(() => api<Overview>('GET', '/v1/admin/compliance/devices'), []);
  const [error, setError] = useState<unknown>();
  const assign = async (id: string, groupId: string) => {
    try {
      await api('POST', `/v1/admin/compliance-policies/${encodeURIComponent(id)}/assignments`, { groupId });
      announce('Compliance policy assigned.');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="compliance-page-h">
      <h1 id="compliance-page-h">Compliance</h1>
      {can.editCompliance && <NewCompliancePolicy onCreated={policies.reload} />}
      {policies.loading && <Loading what="compliance policies" />}
      <ErrorText error={policies.error ?? error} />
      <ul class="cards">
        {policies.data?.compliancePolicies.map((p) => (
          <li key={p.compliancePolicyId} class="card">
            <h2>{p.name}</h2>
            <p>
              version {p.version}, grace {p.gracePeriodHours} h: <code>{JSON.stringify(p.settings)}</code>
            </p>
            <IntuneSource source={p.source} heading="h3" />
            {can.assign && groups.data && groups.data.groups.length > 0 && (
              <div class="row">
                <label for={`ca-${p.compliancePolicyId}`}>Assign to</label>
                <select id={`ca-${p.compliancePolicyId}`} onChange={(e) => e.currentTarget.value && assign(p.compliancePolicyId, e.currentTarget.value)}>
                  <option value="">choose a group…</option>
                  {groups.data.groups.map((g) => (
                    <option key={g.groupId} value={g.groupId}>
                      {g.name}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {can.editCompliance && (
              <ConfirmAction
                label="Delete"
                question={`Delete compliance policy ${p.name}?`}
                onConfirm={async () => {
                  await api('DELETE', `/v1/admin/compliance-policies/${encodeURIComponent(p.compliancePolicyId)}`);
                  policies.reload();
                }}
              />
            )}
          </li>
        ))}
      </ul>
      <h2>Devices</h2>
      <ErrorText error={overview.error} />
      <ul>
        {overview.data?.devices.slice(0, 200).map((d) => (
          <li key={d.deviceId}>
            <a href={href('devices', d.deviceId)}>{d.hostname}</a> <Badge value={d.complianceState} /> <Badge value={d.decision} /> {d.firstReason ?? ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
