// One device: identity, compliance with its reasons, per-setting status (desired, observed, the agent's evidence
// message, events), alerts, health and inventory; "Sync now" and "Revoke" (with a confirmation) for roles with device
// actions; response actions and their history (device-actions.tsx); the Software and Vulnerabilities tabs
// (device-software.tsx, `?tab=`). Everything the device reported is rendered as text.

import { useState } from 'preact/hooks';
import { settingEvidence } from '../../../../policy-schemas/src/setting-evidence.js';
import { api } from '../api.js';
import { type Loaded, useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import type { Abilities } from '../session.js';
import type { Device, DeviceAlerts, DeviceCompliance, DeviceEvents, DeviceHealthView, DeviceInventoryView, DeviceStatus } from '../types.js';
import { announce, Badge, ConfirmAction, ErrorText, formatTime, formatValue, Loading } from '../ui.js';
import { DeviceActionBar, DeviceActionHistory, mayRunActions } from './device-actions.js';
import { DeviceSignals } from './device-signals.js';
import { SoftwareTab, VulnerabilitiesTab } from './device-software.js';

const path = (id: string, sub = '') => `/v1/admin/devices/${encodeURIComponent(id)}${sub}`;

function SettingsTable({ status }: { status: DeviceStatus }) {
  if (status.settings.length === 0) return <p class="muted">No setting reported yet.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="device-settings">
        <caption>Settings (last report {formatTime(status.lastReportAt)})</caption>
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">State</th>
            <th scope="col">Desired</th>
            <th scope="col">Observed</th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {status.settings.map((s) => (
            <tr key={s.settingId} data-setting={s.settingId}>
              <th scope="row">
                <code>{s.settingId}</code>
              </th>
              <td>
                <Badge value={s.state} />
              </td>
              <td>{formatValue(s.desired)}</td>
              <td>{formatValue(s.observed)}</td>
              <td>{settingEvidence(s) || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EventsList({ events }: { events: DeviceEvents }) {
  if (events.events.length === 0) return <p class="muted">No events.</p>;
  return (
    <ul class="events">
      {events.events.slice(0, 50).map((e) => (
        <li key={`${e.reportId}:${e.at}:${e.settingId ?? ''}:${e.type}`}>
          <time dateTime={e.at}>{formatTime(e.at)}</time> <Badge value={e.type} /> <code>{e.settingId ?? ''}</code> {formatValue(e.before)} →{' '}
          {formatValue(e.after)} {e.message ?? ''}
        </li>
      ))}
    </ul>
  );
}

function ComplianceBlock({ compliance }: { compliance: DeviceCompliance }) {
  return (
    <>
      <p>
        <Badge value={compliance.state} /> decision <Badge value={compliance.decision} />, risk <Badge value={compliance.riskLevel} />, evaluated{' '}
        {formatTime(compliance.evaluatedAt)}
      </p>
      {compliance.reasons.length > 0 && (
        <ul>
          {compliance.reasons.map((r) => (
            <li key={`${r.compliancePolicyId}:${r.setting}`}>
              <Badge value={r.result} /> {r.policyName ?? 'device'} — {r.setting}: {r.message} (expected {formatValue(r.expected)}, observed{' '}
              {formatValue(r.observed)})
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

const TABS = [
  ['overview', 'Overview'],
  ['software', 'Software'],
  ['vulnerabilities', 'Vulnerabilities'],
] as const;

/** The tabs as links (the tab lives in the URL: `#/devices/<id>?tab=software`). */
function DeviceTabs({ deviceId, current }: { deviceId: string; current: string }) {
  return (
    <nav aria-label="Device sections" class="subnav">
      {TABS.map(([key, label]) => (
        <a key={key} href={href('devices', deviceId, { tab: key === 'overview' ? undefined : key })} aria-current={current === key ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

export function DevicePage({ deviceId, tab, can }: { deviceId: string; tab: string | null; can: Abilities }) {
  const current = TABS.some(([key]) => key === tab) ? (tab as string) : 'overview';
  const device = useLoad(() => api<Device>('GET', path(deviceId)), [deviceId]);
  const status = useLoad(() => api<DeviceStatus>('GET', path(deviceId, '/status')), [deviceId]);
  const events = useLoad(() => api<DeviceEvents>('GET', path(deviceId, '/events')), [deviceId]);
  const compliance = useLoad(() => api<DeviceCompliance>('GET', path(deviceId, '/compliance')), [deviceId]);
  const alerts = useLoad(() => api<DeviceAlerts>('GET', path(deviceId, '/alerts')), [deviceId]);
  const health = useLoad(() => api<DeviceHealthView>('GET', path(deviceId, '/health')), [deviceId]);
  const inventory = useLoad(() => api<DeviceInventoryView>('GET', path(deviceId, '/inventory')), [deviceId]);
  const d = device.data;
  // Bumped when the action bar created an action: the history below reloads.
  const [actionsRefresh, setActionsRefresh] = useState(0);
  const sync = async () => {
    try {
      const res = await api<{ delivered: boolean }>('POST', path(deviceId, '/sync'));
      announce(
        res.delivered
          ? 'Sync requested: the device is connected and was told to sync now.'
          : 'Sync queued: the device is not connected and syncs at its next check-in.',
      );
    } catch (err) {
      announce(`Sync failed: ${(err as Error).message}`);
    }
  };
  const revoke = async () => {
    await api('POST', path(deviceId, '/revoke'));
    announce(`Device ${d?.hostname ?? deviceId} revoked.`);
    navigate(href('devices'));
  };
  return (
    <article aria-labelledby="device-h">
      <p>
        <a href={href('devices')}>← Devices</a>
      </p>
      <h1 id="device-h" data-testid="device-hostname">
        {d ? d.hostname : 'Device'}
      </h1>
      {device.loading && <Loading what="the device" />}
      <ErrorText error={device.error} />
      {d && (
        <dl class="facts">
          <dt>Device id</dt>
          <dd>
            <code>{d.deviceId}</code>
          </dd>
          <dt>Platform</dt>
          <dd>
            {d.platform} {d.osVersion} ({d.arch})
          </dd>
          <dt>Agent</dt>
          <dd>{d.agentVersion}</dd>
          <dt>Last check-in</dt>
          <dd>
            {formatTime(d.lastSeenAt)} {d.connected ? '(connected)' : ''}
          </dd>
          <dt>Groups / tags</dt>
          <dd>{[...d.groups, ...d.tags].join(', ') || '—'}</dd>
          <dt>Status</dt>
          <dd>{d.offboardedAt ? `offboarded ${d.offboardedAt}` : d.revoked ? 'revoked' : 'active'}</dd>
        </dl>
      )}
      {d && !d.revoked && !d.offboardedAt && (can.sync || can.revoke || mayRunActions(can)) && (
        <div class="actions">
          {can.sync && (
            <button type="button" onClick={sync}>
              Sync now
            </button>
          )}{' '}
          {can.revoke && <ConfirmAction label="Revoke" question={`Revoke ${d.hostname}? It can no longer sync and must enroll again.`} onConfirm={revoke} />}
          <DeviceActionBar deviceId={deviceId} hostname={d.hostname} can={can} onCreated={() => setActionsRefresh((n) => n + 1)} />
        </div>
      )}
      <DeviceTabs deviceId={deviceId} current={current} />
      {current === 'software' && (
        <section aria-labelledby="software-h">
          <h2 id="software-h">Software</h2>
          <SoftwareTab deviceId={deviceId} />
        </section>
      )}
      {current === 'vulnerabilities' && (
        <section aria-labelledby="vulnerabilities-h">
          <h2 id="vulnerabilities-h">Vulnerabilities</h2>
          <VulnerabilitiesTab deviceId={deviceId} can={can} />
        </section>
      )}
      {current === 'overview' && (
        <DeviceOverview deviceId={deviceId} can={can} actionsRefresh={actionsRefresh} loads={{ status, events, compliance, alerts, health, inventory }} />
      )}
    </article>
  );
}

function DeviceOverview(props: {
  deviceId: string;
  can: Abilities;
  actionsRefresh: number;
  loads: {
    status: Loaded<DeviceStatus>;
    events: Loaded<DeviceEvents>;
    compliance: Loaded<DeviceCompliance>;
    alerts: Loaded<DeviceAlerts>;
    health: Loaded<DeviceHealthView>;
    inventory: Loaded<DeviceInventoryView>;
  };
}) {
  const { deviceId, can, actionsRefresh } = props;
  const { status, events, compliance, alerts, health, inventory } = props.loads;
  return (
    <>
      <section aria-labelledby="compliance-h">
        <h2 id="compliance-h">Compliance</h2>
        <ErrorText error={compliance.error} />
        {compliance.data && <ComplianceBlock compliance={compliance.data} />}
      </section>
      <section aria-labelledby="settings-h">
        <h2 id="settings-h">Policies and settings</h2>
        <ErrorText error={status.error} />
        {status.data?.lastSyncError && (
          <p class="error" role="alert">
            Last sync kept the last good policy: {status.data.lastSyncError.code} {status.data.lastSyncError.message}
          </p>
        )}
        {status.data && (
          <ul>
            {status.data.policies.map((p) => (
              <li key={p.policyId}>
                <a href={href('policies', p.policyId, 'status')}>{p.name}</a> <Badge value={p.state} />
              </li>
            ))}
          </ul>
        )}
        {status.data && <SettingsTable status={status.data} />}
        <h3>Events</h3>
        <ErrorText error={events.error} />
        {events.data && <EventsList events={events.data} />}
      </section>
      <DeviceActionHistory deviceId={deviceId} can={can} refresh={actionsRefresh} />
      <DeviceSignals
        deviceId={deviceId}
        can={can}
        alerts={alerts}
        health={health}
        inventory={inventory}
        onTriaged={() => {
          alerts.reload();
          compliance.reload();
        }}
      />
    </>
  );
}
