// The pure risk engine: risk level = highest active severity, stable alert ids, resolution when a condition clears,
// no resolution by silence (unobserved scopes), tamper windows, persisting apply errors, block actions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertSeverity, AntivirusHealth, FirewallHealth, SettingEvent } from '../../../policy-schemas/src/index.js';
import type { ObservedProcess, RiskIndicator } from './indicator-match.js';
import {
  activeAlerts,
  EMPTY_RISK_STATE,
  evaluate,
  type Now,
  observeSync,
  type RiskConfig,
  type RiskObservation,
  recordActions,
  riskLevel,
} from './risk-engine.js';

/** A pure stand-in for SHA-256 (the core test may not import node:crypto): eight seeded FNV-1a hashes, 64 hex digits. */
const digest = (text: string) =>
  [...Array(8).keys()]
    .map((seed) => {
      let h = (0x811c9dc5 ^ seed) >>> 0;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
      return h.toString(16).padStart(8, '0');
    })
    .join('');
const config: RiskConfig = { signatureMaxAgeHours: 168, applyErrorSyncs: 3, tamperAlertMs: 3_600_000, caseInsensitive: false };
/** Milliseconds since 2026-12-01T00:00:00Z as ISO text (the core has no Date, nor do its tests). */
const iso = (ms: number) => {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const r = ms % 86_400_000;
  return `2026-12-${p(1 + Math.floor(ms / 86_400_000))}T${p(Math.floor(r / 3_600_000))}:${p(Math.floor(r / 60_000) % 60)}:${p(Math.floor(r / 1000) % 60)}.${p(r % 1000, 3)}Z`;
};
const at = (ms: number): Now => ({ ms, iso: iso(ms) });
const T0 = 0;
const SEVERITIES: AlertSeverity[] = ['informational', 'low', 'medium', 'high'];

const healthyAv: AntivirusHealth = { source: 'simulated', mode: 'active', realTimeProtection: true, tamperProtection: true, signatureAgeHours: 2 };
const fwOn: FirewallHealth = { source: 'simulated', enabled: true };
const xmrig: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'alert', severity: 'high' };
const proc = (pid: number, name = 'xmrig'): ObservedProcess => ({ pid, name, path: `/opt/${name}` });
const observe = (o: Partial<RiskObservation>): RiskObservation => ({ indicators: [], ...o });

describe('risk level', () => {
  it('is the highest severity among active alerts, none without any', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ severity: fc.constantFrom(...SEVERITIES), status: fc.constantFrom('active' as const, 'resolved' as const) })),
        (alerts) => {
          const active = alerts.filter((a) => a.status === 'active').map((a) => SEVERITIES.indexOf(a.severity));
          const expected = active.length === 0 ? 'none' : SEVERITIES[Math.max(...active)];
          return riskLevel(alerts) === expected;
        },
      ),
    );
  });

  it('after any check equals the highest severity of the alerts it leaves active', () => {
    const indicators = SEVERITIES.map((severity, i): RiskIndicator => ({ type: 'processName', value: `p${i}`, action: 'alert', severity }));
    fc.assert(
      fc.property(fc.array(fc.subarray([0, 1, 2, 3]), { minLength: 1, maxLength: 6 }), (runs) => {
        let state = EMPTY_RISK_STATE;
        for (const [n, running] of runs.entries()) {
          const result = evaluate(state, observe({ indicators, processes: running.map((i) => proc(100 + i, `p${i}`)) }), config, at(T0 + n * 1000), digest);
          state = result.state;
          const expected = running.length === 0 ? 'none' : SEVERITIES[Math.max(...running)];
          if (result.riskLevel !== expected || activeAlerts(state).length !== running.length) return false;
        }
        return true;
      }),
    );
  });
});

describe('alert lifecycle', () => {
  it('keeps one alert with a stable id while the condition holds, then resolves it when it clears', () => {
    const first = evaluate(EMPTY_RISK_STATE, observe({ indicators: [xmrig], processes: [proc(10)] }), config, at(T0), digest);
    expect(first.riskLevel).toBe('high');
    expect(first.changed).toEqual([expect.objectContaining({ category: 'indicator', severity: 'high', status: 'active', firstSeen: at(T0).iso })]);
    const id = first.changed[0]?.alertId as string;
    expect(id).toMatch(/^indicator\.[0-9a-f]{32}$/);

    // Same executable under another pid a minute later: same alert, nothing to report, lastSeen moves.
    const second = evaluate(first.state, observe({ indicators: [xmrig], processes: [proc(11)] }), config, at(T0 + 60_000), digest);
    expect(second.changed).toEqual([]);
    expect(activeAlerts(second.state)).toEqual([expect.objectContaining({ alertId: id, firstSeen: at(T0).iso, lastSeen: at(T0 + 60_000).iso })]);

    const third = evaluate(second.state, observe({ indicators: [xmrig], processes: [] }), config, at(T0 + 120_000), digest);
    expect(third.changed).toEqual([expect.objectContaining({ alertId: id, status: 'resolved', resolvedAt: at(T0 + 120_000).iso })]);
    expect(third.riskLevel).toBe('none');

    // Seen again: the same id reopens as a new episode.
    const fourth = evaluate(third.state, observe({ indicators: [xmrig], processes: [proc(12)] }), config, at(T0 + 180_000), digest);
    expect(fourth.changed).toEqual([expect.objectContaining({ alertId: id, status: 'active', firstSeen: at(T0 + 180_000).iso })]);
  });

  it('gives the same ids for the same observation in any order', () => {
    const indicators: RiskIndicator[] = [xmrig, { type: 'cidr', value: '203.0.113.0/24', action: 'alert' }];
    const processes = [proc(1), proc(2, 'other'), proc(3)];
    const connections = [
      { remoteAddress: '203.0.113.9', remotePort: 443 },
      { remoteAddress: '203.0.113.10', remotePort: 443 },
    ];
    const ids = (o: RiskObservation) =>
      evaluate(EMPTY_RISK_STATE, o, config, at(T0), digest)
        .changed.map((a) => a.alertId)
        .sort();
    const base = ids(observe({ indicators, processes, connections }));
    expect(base).toHaveLength(3);
    fc.assert(
      fc.property(fc.shuffledSubarray(processes, { minLength: 3, maxLength: 3 }), fc.shuffledSubarray(connections, { minLength: 2, maxLength: 2 }), (p, c) => {
        return JSON.stringify(ids(observe({ indicators: [...indicators].reverse(), processes: p, connections: c }))) === JSON.stringify(base);
      }),
    );
  });

  it('never resolves an alert because its observation failed, only because it was made and came back clean', () => {
    const opened = evaluate(
      EMPTY_RISK_STATE,
      observe({ indicators: [xmrig], processes: [proc(1)], health: { antivirus: { ...healthyAv, realTimeProtection: false }, firewall: fwOn } }),
      config,
      at(T0),
      digest,
    );
    expect(opened.riskLevel).toBe('high');
    expect(activeAlerts(opened.state).map((a) => a.alertId)).toContain('posture.realTimeProtectionOff');
    // Neither the process list nor health this time: everything stays as it was.
    const silent = evaluate(opened.state, observe({ indicators: [xmrig] }), config, at(T0 + 1000), digest);
    expect(silent.changed).toEqual([]);
    expect(activeAlerts(silent.state)).toHaveLength(2);
    // Health read again and fine: only the posture alert resolves.
    const healthy = evaluate(silent.state, observe({ indicators: [xmrig], health: { antivirus: healthyAv, firewall: fwOn } }), config, at(T0 + 2000), digest);
    expect(healthy.changed.map((a) => [a.alertId, a.status])).toEqual([['posture.realTimeProtectionOff', 'resolved']]);
    expect(healthy.riskLevel).toBe('high');
  });

  it('reports a severity change of an active alert, and resolved alerts are forgotten after a day', () => {
    const low: RiskIndicator = { ...xmrig, severity: 'low' };
    const a = evaluate(EMPTY_RISK_STATE, observe({ indicators: [low], processes: [proc(1)] }), config, at(T0), digest);
    const b = evaluate(a.state, observe({ indicators: [xmrig], processes: [proc(1)] }), config, at(T0 + 1), digest);
    expect(b.changed).toEqual([expect.objectContaining({ severity: 'high', status: 'active', firstSeen: at(T0).iso })]);
    const c = evaluate(b.state, observe({ indicators: [xmrig], processes: [] }), config, at(T0 + 2), digest);
    expect(c.state.alerts).toHaveLength(1);
    const d = evaluate(c.state, observe({ indicators: [xmrig], processes: [] }), config, at(T0 + 2 + 24 * 3_600_000), digest);
    expect(d.state.alerts).toEqual([]);
    expect(d.changed).toEqual([]);
  });
});

describe('posture and threats', () => {
  it('raises posture alerts from health with the documented severities', () => {
    const result = evaluate(
      EMPTY_RISK_STATE,
      observe({
        health: {
          antivirus: { ...healthyAv, realTimeProtection: false, signatureAgeHours: 200 },
          firewall: { source: 'windowsFirewall', enabled: false, profiles: { Domain: true, Private: true, Public: false } },
        },
      }),
      config,
      at(T0),
      digest,
    );
    const by = Object.fromEntries(result.changed.map((a) => [a.alertId, a]));
    expect(by['posture.realTimeProtectionOff']?.severity).toBe('medium');
    expect(by['posture.signaturesOutOfDate']).toMatchObject({ severity: 'low', evidence: { signatureAgeHours: 200, maxAgeHours: 168 } });
    expect(by['posture.firewallOff']).toMatchObject({ severity: 'medium', title: 'Firewall is off (Public)' });
    expect(result.riskLevel).toBe('medium');
    const off = evaluate(
      EMPTY_RISK_STATE,
      observe({ health: { antivirus: { ...healthyAv, mode: 'off', realTimeProtection: false }, firewall: fwOn } }),
      config,
      at(T0),
      digest,
    );
    expect(off.changed.map((a) => [a.alertId, a.severity])).toEqual([['posture.antivirusOff', 'high']]);
    // Passive mode: another product protects the device; unknown values raise nothing.
    const passive = evaluate(
      EMPTY_RISK_STATE,
      observe({
        health: {
          antivirus: { ...healthyAv, mode: 'passive', realTimeProtection: false, signatureAgeHours: null },
          firewall: { source: 'nftables', enabled: null },
        },
      }),
      config,
      at(T0),
      digest,
    );
    expect(passive.changed).toEqual([]);
  });

  it('turns each active detection into a threat alert with its severity, resolved when the detection goes', () => {
    const detections = [
      { source: 'defender' as const, threatId: '2147519003', name: 'Virus:DOS/EICAR_Test_File', severity: 'high' as const, path: 'C:\\eicar.com' },
    ];
    const a = evaluate(EMPTY_RISK_STATE, observe({ detections }), config, at(T0), digest);
    expect(a.changed).toEqual([expect.objectContaining({ alertId: 'threat.defender.2147519003', category: 'threat', severity: 'high' })]);
    const b = evaluate(a.state, observe({ detections: [] }), config, at(T0 + 1), digest);
    expect(b.changed).toEqual([expect.objectContaining({ alertId: 'threat.defender.2147519003', status: 'resolved' })]);
    const odd = evaluate(
      EMPTY_RISK_STATE,
      observe({ detections: [{ ...detections[0], source: 'simulated', threatId: 'a b/c' } as never] }),
      config,
      at(T0),
      digest,
    );
    expect(odd.changed[0]?.alertId).toMatch(/^threat\.simulated\.[0-9a-f]{32}$/);
  });

  it('keeps a tamper alert for the configured window after the last repair', () => {
    const event: SettingEvent = { type: 'remediated', at: iso(T0), settingId: 'mdatp.cloudService.enabled', before: false, after: true };
    const state = observeSync(EMPTY_RISK_STATE, { settings: [], events: [event] }, at(T0));
    const a = evaluate(state, observe({}), config, at(T0 + 1000), digest);
    expect(a.changed).toEqual([
      expect.objectContaining({
        alertId: 'posture.tamper.mdatp.cloudService.enabled',
        severity: 'medium',
        evidence: expect.objectContaining({ drifted: 'false', enforced: 'true' }),
      }),
    ]);
    const b = evaluate(a.state, observe({}), config, at(T0 + config.tamperAlertMs - 1), digest);
    expect(b.changed).toEqual([]);
    const c = evaluate(b.state, observe({}), config, at(T0 + config.tamperAlertMs), digest);
    expect(c.changed).toEqual([expect.objectContaining({ alertId: 'posture.tamper.mdatp.cloudService.enabled', status: 'resolved' })]);
    expect(c.state.tamper).toEqual({});
  });

  it('raises apply errors only after N consecutive failing syncs, and resolves when the setting applies', () => {
    const failing = { settings: [{ settingId: 'defender.PUAProtection', state: 'error' as const }], events: [] };
    let state = EMPTY_RISK_STATE;
    for (let i = 1; i <= 3; i++) {
      state = observeSync(state, failing, at(T0 + i));
      const r = evaluate(state, observe({}), config, at(T0 + i), digest);
      expect(r.changed.map((a) => a.alertId)).toEqual(i < 3 ? [] : ['posture.applyErrors']);
      state = r.state;
    }
    state = observeSync(state, { settings: [{ settingId: 'defender.PUAProtection', state: 'succeeded' }], events: [] }, at(T0 + 10));
    expect(evaluate(state, observe({}), config, at(T0 + 10), digest).changed).toEqual([
      expect.objectContaining({ alertId: 'posture.applyErrors', status: 'resolved' }),
    ]);
  });
});

describe('block actions', () => {
  it('asks to block matches of block indicators only, and reports an action once until it changes', () => {
    const block: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'block' };
    const r = evaluate(
      EMPTY_RISK_STATE,
      observe({ indicators: [block, { type: 'processName', value: 'nc', action: 'alert' }], processes: [proc(1), proc(2, 'nc')] }),
      config,
      at(T0),
      digest,
    );
    expect(r.changed.map((a) => a.severity).sort()).toEqual(['high', 'medium']);
    expect(r.blocks).toEqual([{ alertId: expect.any(String), request: { kind: 'killProcess', indicator: block, processes: [proc(1)] } }]);
    const alertId = r.blocks[0]?.alertId as string;
    const action = { type: 'killProcess' as const, ok: true, detail: 'killed pid 1' };
    const once = recordActions(r.state, [{ alertId, action }]);
    expect(once.changed).toEqual([expect.objectContaining({ alertId, action })]);
    expect(recordActions(once.state, [{ alertId, action }]).changed).toEqual([]);
    // The action survives the next sighting of the same condition.
    const again = evaluate(once.state, observe({ indicators: [block], processes: [proc(3)] }), config, at(T0 + 1), digest);
    expect(activeAlerts(again.state).find((a) => a.alertId === alertId)?.action).toEqual(action);
  });
});

describe('indicator actions (Defender)', () => {
  const sha = 'a'.repeat(64);
  const hashed = (pid: number): ObservedProcess => ({ ...proc(pid), sha256: sha });

  it('blockAndRemediate asks to stop the processes and quarantine the executable', () => {
    const remediate: RiskIndicator = { type: 'fileSha256', value: sha, action: 'blockAndRemediate' };
    const r = evaluate(EMPTY_RISK_STATE, observe({ indicators: [remediate], processes: [hashed(1)] }), config, at(T0), digest);
    expect(r.blocks).toEqual([
      { alertId: expect.any(String), request: { kind: 'killProcess', indicator: remediate, processes: [hashed(1)], quarantine: true } },
    ]);
    expect(activeAlerts(r.state)).toEqual([
      expect.objectContaining({ severity: 'high', evidence: expect.objectContaining({ indicatorAction: 'blockAndRemediate' }) }),
    ]);
  });

  it('an allowed item wins over a block of the same executable, and its audit alert resolves', () => {
    const audit: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'audit' };
    const opened = evaluate(EMPTY_RISK_STATE, observe({ indicators: [audit], processes: [hashed(1)] }), config, at(T0), digest);
    expect(activeAlerts(opened.state)).toHaveLength(1);
    const allowed: RiskIndicator = { type: 'fileSha256', value: sha, action: 'allowed' };
    const r = evaluate(opened.state, observe({ indicators: [audit, allowed], processes: [hashed(1)] }), config, at(T0 + 1), digest);
    expect(activeAlerts(r.state)).toEqual([]);
    expect(r.blocks).toEqual([]);
    // A block of the same file wins over the allow (Defender: block/warn file IoC before allow file IoC).
    const block: RiskIndicator = { type: 'processPath', value: '/opt/xmrig', action: 'block' };
    const blocked = evaluate(r.state, observe({ indicators: [allowed, block], processes: [hashed(1)] }), config, at(T0 + 2), digest);
    expect(blocked.blocks.map((b) => b.request.indicator)).toEqual([block]);
  });

  it('block with generateAlert false stops the process without raising an alert', () => {
    const quiet: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'block', generateAlert: false };
    const r = evaluate(EMPTY_RISK_STATE, observe({ indicators: [quiet], processes: [proc(1)] }), config, at(T0), digest);
    expect(r.blocks).toHaveLength(1);
    expect(r.state.alerts).toEqual([]);
    expect(r.riskLevel).toBe('none');
  });

  it('an expired item is not enforced: no block, and its alert resolves', () => {
    const expiring: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'block', expirationTime: '1970-01-01T00:01:00Z' }; // T0 + 60 s as epoch ms
    const before = evaluate(EMPTY_RISK_STATE, observe({ indicators: [expiring], processes: [proc(1)] }), config, at(T0), digest);
    expect(before.blocks).toHaveLength(1);
    const after = evaluate(before.state, observe({ indicators: [expiring], processes: [proc(1)] }), config, at(T0 + 60_000), digest);
    expect(after.blocks).toEqual([]);
    expect(after.changed).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });
});

describe('admin suppressions (issue 17)', () => {
  const block: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'block' };
  const seen = (state = EMPTY_RISK_STATE, ms = T0, suppressions: RiskObservation['suppressions'] = []) =>
    evaluate(state, observe({ indicators: [block], processes: [proc(1)], suppressions }), config, at(ms), digest);
  const alertId = seen().blocks[0]?.alertId as string;
  const RULE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

  it('keeps a suppressed finding tracked and reported, with no risk, while the condition holds; the block stays', () => {
    const first = seen(EMPTY_RISK_STATE, T0, [{ ruleId: RULE, alertId }]);
    expect([first.riskLevel, first.blocks.map((b) => b.alertId)]).toEqual(['none', [alertId]]);
    expect(first.state.alerts).toEqual([expect.objectContaining({ suppressedBy: RULE, alert: expect.objectContaining({ alertId, status: 'active' }) })]);
    const again = seen(first.state, T0 + 60_000, [{ ruleId: RULE, alertId }]);
    expect([again.riskLevel, again.blocks.map((b) => b.alertId), again.changed]).toEqual(['none', [alertId], []]);
  });

  it('a suppression arriving for an open alert lowers the risk and reports the alert; its expiry brings both back', () => {
    const open = seen();
    expect(open.riskLevel).toBe('high');
    const expiresAt = iso(T0 + 3_600_000);
    const quiet = seen(open.state, T0 + 1000, [{ ruleId: RULE, alertId, expiresAt }]);
    expect([quiet.riskLevel, quiet.blocks.map((b) => b.alertId), quiet.changed.map((a) => a.alertId)]).toEqual(['none', [alertId], [alertId]]);
    // Still in force one millisecond before its expiry; at the expiry the finding counts again.
    expect(seen(quiet.state, T0 + 3_599_999, [{ ruleId: RULE, alertId, expiresAt }]).riskLevel).toBe('none');
    const expired = seen(quiet.state, T0 + 3_600_000, [{ ruleId: RULE, alertId, expiresAt }]);
    expect([expired.riskLevel, expired.blocks.map((b) => b.alertId), expired.changed.map((a) => a.alertId)]).toEqual(['high', [alertId], [alertId]]);
    expect(expired.state.alerts[0]?.suppressedBy).toBeUndefined();
  });

  it('does not re-raise risk when a suppressed condition clears and comes back', () => {
    const suppressions = [{ ruleId: RULE, alertId }];
    const cleared = evaluate(
      seen(EMPTY_RISK_STATE, T0, suppressions).state,
      observe({ indicators: [block], processes: [], suppressions }),
      config,
      at(T0 + 1),
      digest,
    );
    expect(cleared.state.alerts[0]?.alert.status).toBe('resolved');
    const back = seen(cleared.state, T0 + 2, suppressions);
    expect([back.riskLevel, back.blocks.map((b) => b.alertId), back.state.alerts[0]?.suppressedBy]).toEqual(['none', [alertId], RULE]);
  });
});
