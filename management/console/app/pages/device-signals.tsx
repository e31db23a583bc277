// The device page's signal sections: alerts (risk level, severity, titles, triage controls), health and inventory as the device last
// uploaded them. Alert titles and inventory strings come from the device and are rendered as text.
import type { Loaded } from '../hooks.js';
import type { Abilities } from '../session.js';
import type { DeviceAlerts, DeviceHealthView, DeviceInventoryView } from '../types.js';
import { Badge, ErrorText, formatTime, formatValue } from '../ui.js';
import { AlertTriageControls } from './alert-triage.js';

function Facts({ value }: { value: Record<string, unknown> }) {
  return (
    <dl class="facts">
      {Object.entries(value).map(([k, v]) => (
        <>
          <dt key={`${k}-t`}>{k}</dt>
          <dd key={`${k}-d`}>{Array.isArray(v) ? `${v.length} item(s)` : formatValue(v)}</dd>
        </>
      ))}
    </dl>
  );
}

export function DeviceSignals(props: {
  deviceId: string;
  can: Abilities;
  alerts: Loaded<DeviceAlerts>;
  health: Loaded<DeviceHealthView>;
  inventory: Loaded<DeviceInventoryView>;
  /** A triage change moved the alerts and the compliance state. */
  onTriaged: () => void;
}) {
  const a = props.alerts.data;
  const h = props.health.data;
  const inv = props.inventory.data;
  return (
    <>
      <section aria-labelledby="alerts-h">
        <h2 id="alerts-h">Alerts</h2>
        <ErrorText error={props.alerts.error} />
        {a && (
          <>
            <p>
              Risk level <Badge value={a.riskLevel} />, {a.activeCount} active, last report {formatTime(a.lastAlertReportAt)}
            </p>
            <ul>
              {a.alerts.slice(0, 50).map((al) => (
                <li key={al.alertId}>
                  <Badge value={al.severity} /> {al.title}{' '}
                  <span class="muted">
                    ({al.status}, {formatTime(al.receivedAt)})
                  </span>
                  {al.status === 'active' && <AlertTriageControls deviceId={props.deviceId} alert={al} can={props.can} onChanged={props.onTriaged} />}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="health-h">
        <h2 id="health-h">Health</h2>
        <ErrorText error={props.health.error} />
        {h && (h.health ? <Facts value={h.health as Record<string, unknown>} /> : <p class="muted">No health report yet.</p>)}
      </section>
      <section aria-labelledby="inventory-h">
        <h2 id="inventory-h">Inventory</h2>
        <ErrorText error={props.inventory.error} />
        {inv && (inv.inventory ? <Facts value={inv.inventory as Record<string, unknown>} /> : <p class="muted">No inventory yet.</p>)}
      </section>
    </>
  );
}
