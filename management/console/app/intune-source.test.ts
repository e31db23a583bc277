// The policy list's grouping by Intune source: authored policies first, one unit per Intune policy (even when it
// produced several kinds) with the kinds it spans.
import { describe, expect, it } from 'vitest';
import { groupBySource, groupKinds } from './intune-source.js';
import type { PolicySource } from './types.js';

const av: PolicySource = { system: 'intune', id: 'aaaa-1', name: 'Win - AV baseline' };
const asr: PolicySource = { system: 'intune', id: 'bbbb-2', name: 'ASR rules' };
const p = (id: string, kind: string, source?: PolicySource) => ({ id, kind, ...(source ? { source } : {}) });

describe('groupBySource', () => {
  it('puts authored policies first, then one group per Intune policy in the order it first appears', () => {
    const list = [p('1', 'asr', asr), p('2', 'antivirus'), p('3', 'antivirus', av), p('4', 'asr', av), p('5', 'antivirus', asr), p('6', 'firewall')];
    const groups = groupBySource(list);
    expect(groups.map((g) => [g.source?.id ?? null, g.items.map((i) => i.id)])).toEqual([
      [null, ['2', '6']],
      ['bbbb-2', ['1', '5']],
      ['aaaa-1', ['3', '4']],
    ]);
    expect(groupKinds(groups[1]?.items ?? [])).toEqual(['asr', 'antivirus']);
  });

  it('has no authored group when every policy was imported, and no groups for an empty list', () => {
    expect(groupBySource([p('1', 'asr', asr)]).map((g) => g.source)).toEqual([asr]);
    expect(groupBySource([])).toEqual([]);
  });
});
