// Applies the coordinator's fault steps to the hosts of one fleet process and records, per step, which hosts each
// fault really touched (a write failed, a value changed, an agent crashed…), so a fault that never fired is reported.

import { systemClock } from '../../../common/clock.js';
import type { EndState, FailingHost, FaultHits, FaultStep, FaultTargets } from './protocol.js';
import type { SimHost } from './sim-host.js';

/** Who a groupPolicyOverride step names when it does not say: a GPO as the Windows provider names one from RSoP. */
export const DEFAULT_GPO_SOURCE = "Group Policy 'Simulated GPO'";

export class FaultInjector {
  private readonly byIndex: ReadonlyMap<number, SimHost>;
  private readonly hits = new Map<number, Set<number>>();
  /** host → setting id → the failWrites step whose failure is armed there. */
  private readonly writeFaults = new Map<number, Map<string, number>>();
  /** host → action type → the failActions step whose failure is armed there. */
  private readonly actionFaults = new Map<number, Map<string, number>>();

  constructor(
    private readonly hosts: readonly SimHost[],
    private readonly timers: { readonly after: (ms: number, run: () => void) => void } = { after: (ms, run) => void systemClock.setTimer(run, ms) },
  ) {
    this.byIndex = new Map(hosts.map((h) => [h.spec.index, h]));
    for (const h of hosts) {
      h.device.faults.onWriteFailed = (settingId) => {
        const step = this.writeFaults.get(h.spec.index)?.get(settingId);
        if (step !== undefined) this.hit(step, h.spec.index);
      };
      h.device.faults.onActionFailed = (type) => {
        const step = this.actionFaults.get(h.spec.index)?.get(type);
        if (step !== undefined) this.hit(step, h.spec.index);
      };
    }
  }

  /** Applies one fault step to the targeted hosts of this process; returns the hosts it touched at once. */
  apply(step: FaultStep, stepIndex: number, targets: FaultTargets): number[] {
    const mine = targets.hosts.flatMap((i) => this.byIndex.get(i) ?? []);
    const touched = (each: (h: SimHost) => boolean): number[] => {
      const out = mine.filter(each).map((h) => h.spec.index);
      for (const host of out) this.hit(stepIndex, host);
      return out;
    };
    switch (step.action) {
      case 'failWrites':
        return this.armWrites(step, stepIndex, targets.bySetting ?? {});
      case 'failActions':
        return this.armActions(step, stepIndex, targets.hosts);
      case 'slowApply':
        return touched((h) => changed(h.slowApplyMs, step.delayMs, (v) => (h.slowApplyMs = v)));
      case 'drift':
        return touched((h) => h.tamper(step.setting, step.value));
      case 'groupPolicyOverride':
        return touched((h) =>
          h.device.setGroupPolicy(step.setting, step.value === null ? undefined : { value: step.value, source: step.source ?? DEFAULT_GPO_SOURCE }),
        );
      case 'crashHosts':
        return touched((h) => {
          if (!h.running) return false;
          h.crash();
          this.timers.after(step.downSeconds * 1000, () => h.start());
          return true;
        });
      case 'partition':
        return touched((h) => {
          h.setPartitioned(true);
          this.timers.after(step.durationSeconds * 1000, () => h.setPartitioned(false));
          return true;
        });
      case 'diskFull':
        return touched((h) => {
          if (h.diskFull) return false;
          h.diskFull = true;
          this.timers.after(step.durationSeconds * 1000, () => {
            h.diskFull = false;
          });
          return true;
        });
      case 'clockSkew':
        return touched((h) => changed(h.skewMs, step.seconds * 1000, (v) => (h.skewMs = v)));
      case 'injectThreat':
        return touched((h) => {
          h.setThreat({ severity: step.severity ?? 'high', name: step.name ?? 'Simulated:Threat' });
          return true;
        });
      case 'clearThreats':
        return touched((h) => {
          const had = h.device.riskSignals.detections.length > 0;
          h.setThreat(undefined);
          return had;
        });
    }
  }

  /** Per step, the hosts its fault touched so far (failWrites: hosts where a write of the setting really failed). */
  faultHits(): FaultHits {
    return Object.fromEntries([...this.hits].map(([step, hosts]) => [step, [...hosts].sort((a, b) => a - b)]));
  }

  /** The agents' end state: hosts per (setting, state) of their last sync, and the hosts whose last sync failed. */
  endState(settings: readonly string[], lastReportAt: ReadonlyMap<number, number>): EndState {
    const settingStates: Record<string, Record<string, number>> = Object.fromEntries(settings.map((s) => [s, {}]));
    const failing: FailingHost[] = [];
    for (const h of this.hosts) {
      const outcome = h.lastSync;
      for (const id of settings) {
        const state = outcome?.settings.find((s) => s.settingId === id)?.state ?? 'unreported';
        const counts = settingStates[id] ?? {};
        counts[state] = (counts[state] ?? 0) + 1;
      }
      const settingError = outcome?.settings.find((s) => s.state === 'error');
      const lastError =
        outcome?.error ??
        (settingError ? { code: settingError.code ?? 'SETTING_APPLY_FAILED', message: `${settingError.settingId}: ${settingError.message ?? ''}` } : undefined);
      if (!lastError) continue;
      const reported = lastReportAt.get(h.spec.index);
      failing.push({
        host: h.spec.index,
        ...(h.deviceId ? { deviceId: h.deviceId } : {}),
        platform: h.spec.platform,
        lastError: { code: lastError.code, message: lastError.message.slice(0, 300) },
        ...(reported === undefined ? {} : { lastReportAt: reported }),
      });
    }
    return { settingStates, failing };
  }

  private armWrites(step: Extract<FaultStep, { action: 'failWrites' }>, stepIndex: number, bySetting: Readonly<Record<string, readonly number[]>>): number[] {
    const armed = new Set<number>();
    for (const [settingId, targets] of Object.entries(bySetting)) {
      // A failWrites step replaces what earlier steps set for the setting: cleared everywhere, then armed on its hosts.
      for (const h of this.hosts) {
        h.device.faults.failWrites.delete(settingId);
        this.writeFaults.get(h.spec.index)?.delete(settingId);
      }
      for (const index of targets) {
        const h = this.byIndex.get(index);
        if (!h?.device.has(settingId)) continue;
        h.device.faults.failWrites.set(settingId, step.message ?? `simulated write failure of ${settingId}`);
        const faults = this.writeFaults.get(index) ?? new Map<string, number>();
        faults.set(settingId, stepIndex);
        this.writeFaults.set(index, faults);
        armed.add(index);
      }
    }
    return [...armed].sort((a, b) => a - b);
  }

  /** A failActions step replaces earlier ones of its type: cleared on every host, then armed on its targets. */
  private armActions(step: Extract<FaultStep, { action: 'failActions' }>, stepIndex: number, targets: readonly number[]): number[] {
    for (const h of this.hosts) {
      h.device.faults.failActions.delete(step.type);
      this.actionFaults.get(h.spec.index)?.delete(step.type);
    }
    const fault = { ...(step.code ? { code: step.code } : {}), ...(step.hang ? { hang: true } : {}) };
    const armed = targets.filter((index) => this.byIndex.has(index));
    for (const index of armed) {
      this.byIndex.get(index)?.device.faults.failActions.set(step.type, fault);
      const faults = this.actionFaults.get(index) ?? new Map<string, number>();
      faults.set(step.type, stepIndex);
      this.actionFaults.set(index, faults);
    }
    return armed;
  }

  private hit(stepIndex: number, host: number): void {
    const set = this.hits.get(stepIndex) ?? new Set<number>();
    set.add(host);
    this.hits.set(stepIndex, set);
  }
}

/** Sets a numeric fault knob; true when its value changed. */
function changed(current: number, next: number, set: (value: number) => void): boolean {
  if (current === next) return false;
  set(next);
  return true;
}
