import { describe, expect, it } from 'vitest';
import type { AckRecord } from '../fleet/protocol.js';
import { ChangeTracker } from './changes.js';

const P = '00000000-0000-4000-8000-000000000001';

function ack(host: number, t: number, policies: AckRecord['policies'], generated = t): AckRecord {
  return { host, t, generated, policies, duplicate: false };
}

describe('ChangeTracker', () => {
  it('measures each target from the change to the first acknowledged report with the new version', () => {
    const tracker = new ChangeTracker();
    const change = tracker.begin('update', 0, P, 1000);
    tracker.onAck(ack(1, 1100, [[P, 1, 'succeeded']])); // old version: not yet
    tracker.onAck(ack(1, 1300, [[P, 2, 'error']])); // new version, failed setting: applied (reported)
    tracker.target(
      change,
      new Map([
        [1, { kind: 'version', version: 2 }],
        [2, { kind: 'version', version: 2 }],
      ]),
    );
    expect(tracker.pending).toBe(1);
    tracker.onAck(ack(2, 1500, [[P, 3, 'succeeded']])); // a later version also satisfies
    expect(tracker.pending).toBe(0);
    expect(tracker.latencies().sort()).toEqual([300, 500]);
    expect(tracker.results(0)[0]).toMatchObject({ targets: 2, applied: 2, curve: [300, 500] });
  });

  it('ignores reports generated before the change and credits removals', () => {
    const tracker = new ChangeTracker();
    const change = tracker.begin('delete', 0, P, 2000);
    tracker.target(change, new Map([[7, { kind: 'absent' }]]));
    tracker.onAck(ack(7, 2100, [], 1500)); // acknowledged late but generated before the change
    expect(tracker.pending).toBe(1);
    expect(tracker.stragglers()).toEqual([{ host: 7, change: 'delete' }]);
    tracker.onAck(ack(7, 2400, []));
    expect(tracker.pending).toBe(0);
  });

  it('drops a change that reaches nobody', () => {
    const tracker = new ChangeTracker();
    tracker.target(tracker.begin('assign to empty group', 0, P, 0), new Map());
    expect(tracker.results(0)).toEqual([]);
  });
});
