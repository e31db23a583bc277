import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActionProgress, type ActionStatus, cancelRefusal, isTerminal, type ReportedStatus, timedOut, updateEffect } from './action-state.js';

const reported = fc.constantFrom<ReportedStatus>('inProgress', 'succeeded', 'failed', 'cancelled');

/** Folds updates as the endpoint does: apply moves status and sequence, late and stale change nothing. */
function fold(start: ActionProgress, updates: readonly { status: ReportedStatus; sequence: number }[]): ActionProgress {
  let state = start;
  for (const u of updates) {
    const effect = updateEffect(state, u);
    if (effect.kind === 'apply') state = { status: effect.status, lastSequence: u.sequence };
  }
  return state;
}

describe('action state machine', () => {
  it('a terminal status absorbs every later update, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ status: reported, sequence: fc.integer({ min: 1, max: 50 }) }), { maxLength: 30 }), (updates) => {
        const end = fold({ status: 'pending', lastSequence: 0 }, updates);
        const firstTerminal = updates.reduce<ActionProgress | undefined>((acc, u) => {
          if (acc && isTerminal(acc.status)) return acc;
          const effect = updateEffect(acc ?? { status: 'pending', lastSequence: 0 }, u);
          return effect.kind === 'apply' ? { status: effect.status, lastSequence: u.sequence } : acc;
        }, undefined);
        if (firstTerminal && isTerminal(firstTerminal.status)) expect(end).toEqual(firstTerminal);
      }),
    );
  });

  it('an older or repeated sequence is stale; a newer one after the end is late', () => {
    expect(updateEffect({ status: 'inProgress', lastSequence: 3 }, { status: 'succeeded', sequence: 3 })).toEqual({ kind: 'stale' });
    expect(updateEffect({ status: 'inProgress', lastSequence: 3 }, { status: 'succeeded', sequence: 4 })).toEqual({ kind: 'apply', status: 'succeeded' });
    expect(updateEffect({ status: 'timeOut', lastSequence: 0 }, { status: 'succeeded', sequence: 1 })).toEqual({ kind: 'late' });
    expect(updateEffect({ status: 'cancelled', lastSequence: 1 }, { status: 'failed', sequence: 2 })).toEqual({ kind: 'late' });
  });

  it('cancels pending actions of any type, running ones only for scan and collection', () => {
    expect(cancelRefusal('isolate', 'pending')).toBeUndefined();
    expect(cancelRefusal('runAntivirusScan', 'inProgress')).toBeUndefined();
    expect(cancelRefusal('collectInvestigationPackage', 'inProgress')).toBeUndefined();
    expect(cancelRefusal('isolate', 'inProgress')).toMatch(/cannot be cancelled once/);
    for (const s of ['succeeded', 'failed', 'timeOut', 'cancelled'] as ActionStatus[]) expect(cancelRefusal('runAntivirusScan', s)).toMatch(`already ${s}`);
  });

  it('times out only unfinished actions, at expiresAt', () => {
    expect(timedOut('pending', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(timedOut('inProgress', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:00.000Z')).toBe(false);
    expect(timedOut('succeeded', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')).toBe(false);
  });
});
