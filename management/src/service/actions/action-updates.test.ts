// decideUpdate, the pure decision of one agent update inside the store's transaction: apply, stale, late (kept beside a
// terminal status), the cancel acknowledgement by any later update, offboard and the collect package check.
import { describe, expect, it } from 'vitest';
import type { ActionUpdate } from '../../../../policy-schemas/src/index.js';
import type { ActionRecord } from '../../store/action-store.js';
import { statesActions, upgradeStatesActions } from './action-delivery.js';
import { decideUpdate } from './action-updates.js';

const NOW = '2025-01-10T12:00:00.000Z';
const CANCELLED_AT = '2025-01-10T11:00:00.000Z';
const SHA = 'a'.repeat(64);

/** The fields a new action has no value for yet. */
const UNSET = Object.fromEntries(
  ['deliveredAt', 'startedAt', 'completedAt', 'progress', 'result', 'error', 'lateResult', 'cancellation', 'cancelEnvelope', 'package'].map((k) => [k, null]),
) as Pick<
  ActionRecord,
  'deliveredAt' | 'startedAt' | 'completedAt' | 'progress' | 'result' | 'error' | 'lateResult' | 'cancellation' | 'cancelEnvelope' | 'package'
>;

function record(overrides: Partial<ActionRecord> = {}): ActionRecord {
  return {
    actionId: 'a1',
    deviceId: 'd1',
    deviceName: 'ws',
    type: 'runAntivirusScan',
    family: 'runAntivirusScan',
    parameters: { scanType: 'quick' },
    envelope: {} as ActionRecord['envelope'],
    requestor: { adminId: null, username: 'alice' },
    requestorComment: 'x',
    createdAt: NOW,
    expiresAt: NOW,
    status: 'pending',
    updatedAt: NOW,
    lastSequence: 0,
    cancelPending: false,
    ...UNSET,
    ...overrides,
  };
}

const update = (u: Partial<ActionUpdate>) => ({ actionId: 'a1', deviceId: 'd1', sequence: 1, status: 'inProgress' as const, at: NOW, index: 0, ...u });

describe('decideUpdate', () => {
  it("marks an action delivered at the device's first word on it when no delivery was stored yet (the ack may come later)", () => {
    const at = '2025-01-10T11:59:59.000Z';
    expect(decideUpdate(record(), update({ at }), NOW).change).toMatchObject({ deliveredAt: at });
    expect(decideUpdate(record({ deliveredAt: CANCELLED_AT }), update({ at }), NOW).change).not.toHaveProperty('deliveredAt');
  });

  it('applies a newer sequence and ignores an older one', () => {
    expect(decideUpdate(record(), update({ progress: 10 }), NOW)).toMatchObject({
      status: 'inProgress',
      change: { status: 'inProgress', startedAt: NOW, progress: 10 },
    });
    expect(decideUpdate(record({ status: 'inProgress', lastSequence: 2 }), update({ sequence: 2, status: 'failed' }), NOW)).toEqual({
      change: null,
      status: 'inProgress',
    });
  });

  it('keeps a late outcome beside a cancelled status and ends the cancel delivery once the device reports after it', () => {
    const cancelled = record({
      status: 'cancelled',
      cancelPending: true,
      cancellation: { requestor: { adminId: null, username: 'a' }, comment: 'c', at: CANCELLED_AT },
    });
    const result = { scanType: 'quick' as const, engine: 'simulated', durationMs: 1, threatsFound: 0, threats: [] };
    const decision = decideUpdate(cancelled, update({ status: 'succeeded', result }), NOW);
    expect(decision).toMatchObject({ status: 'cancelled', change: { cancelPending: false, lateResult: { status: 'succeeded', result } } });
    // An inProgress (the device may not have had the cancel yet) leaves the cancel in deliveries.
    expect(decideUpdate(cancelled, update({ at: '2025-01-10T11:30:00.000Z' }), NOW).change).not.toHaveProperty('cancelPending');
  });

  it('ends the cancel delivery on the device terminal answer whatever its clock says (review 17b #3, #17)', () => {
    const cancelled = record({
      status: 'cancelled',
      cancelPending: true,
      cancellation: { requestor: { adminId: null, username: 'a' }, comment: 'c', at: CANCELLED_AT },
    });
    // A device clock behind the endpoint's, and another ISO form of a later time: both are the device's answer.
    expect(decideUpdate(cancelled, update({ status: 'cancelled', at: '2025-01-10T10:00:00.000Z' }), NOW).change).toMatchObject({ cancelPending: false });
    expect(decideUpdate(cancelled, update({ status: 'cancelled', at: '2025-01-10T11:00:00+00:00' }), NOW).change).toMatchObject({ cancelPending: false });
    // The device's own "cancelled" is not a late outcome worth showing beside the cancellation.
    expect(decideUpdate(cancelled, update({ status: 'cancelled' }), NOW).change).not.toHaveProperty('lateResult');
  });

  it('marks the device offboarded on a succeeded offboard, even late; fails a collect whose package is not stored', () => {
    const offboard = record({ type: 'offboard', family: 'offboard', parameters: {} });
    expect(decideUpdate(offboard, update({ status: 'succeeded', result: { restoredSettings: 1, failedSettings: 0 } }), NOW).offboardDevice).toBe(true);
    expect(decideUpdate({ ...offboard, status: 'timeOut' }, update({ status: 'succeeded' }), NOW).offboardDevice).toBe(true);
    const collect = record({ type: 'collectInvestigationPackage', family: 'collectInvestigationPackage' });
    const result = { sizeBytes: 10, sha256: SHA, entries: 1, truncated: false };
    expect(decideUpdate(collect, update({ status: 'succeeded', result }), NOW)).toMatchObject({
      status: 'failed',
      discardPackage: true,
      change: { error: { code: 'PACKAGE_HASH_MISMATCH' } },
    });
    const stored = { ...collect, package: { sizeBytes: 10, sha256: SHA, receivedBytes: 10, complete: true } };
    expect(decideUpdate(stored, update({ status: 'succeeded', result }), NOW).status).toBe('succeeded');
  });

  it('refuses a result of another type, naming the field', () => {
    expect(() => decideUpdate(record(), update({ status: 'succeeded', result: { quarantineId: 'q', restoredPath: '/x' } }), NOW)).toThrow(
      /\/updates\/0\/result/,
    );
  });
});

describe('the actions capability', () => {
  it('is read from the header list and the upgrade query', () => {
    expect(statesActions('actions')).toBe(true);
    expect(statesActions('future, actions')).toBe(true);
    expect(statesActions('actionsx')).toBe(false);
    expect(statesActions(undefined)).toBe(false);
    expect(upgradeStatesActions('/v1/device/push?channel=2&capabilities=actions')).toBe(true);
    expect(upgradeStatesActions('/v1/device/push?channel=2')).toBe(false);
  });
});
