import { describe, expect, it } from 'vitest';
import type { AckRecord } from '../fleet/protocol.js';
import { HostSequences } from './host-sequences.js';

const ack = (host: number, policies: AckRecord['policies'], extra: Partial<AckRecord> = {}): AckRecord => ({
  host,
  t: 0,
  generated: 0,
  policies,
  duplicate: false,
  ...extra,
});

describe('host sequences', () => {
  it('names policies by scenario name, sorts them, collapses repeats and skips duplicate acknowledgements', () => {
    const seq = new HostSequences();
    seq.onAck(
      ack(1, [
        ['id-b', 1, 'succeeded'],
        ['id-a', 2, 'error'],
      ]),
    );
    seq.onAck(
      ack(1, [
        ['id-a', 2, 'error'],
        ['id-b', 1, 'succeeded'],
      ]),
    );
    seq.onAck(
      ack(
        1,
        [
          ['id-a', 2, 'error'],
          ['id-b', 1, 'succeeded'],
        ],
        { events: { remediated: 1 } },
      ),
    );
    seq.onAck(ack(1, [['id-x', 1, 'succeeded']], { duplicate: true }));
    seq.onAck(ack(0, []));
    expect(
      seq.sequences(
        new Map([
          ['id-a', 'av'],
          ['id-b', 'fw'],
        ]),
        3,
      ),
    ).toEqual([['(no policies)'], ['av@v2=error fw@v1=succeeded', 'av@v2=error fw@v1=succeeded | remediated×1'], []]);
  });
});
