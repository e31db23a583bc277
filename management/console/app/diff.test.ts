// The policy diff shown before saving: added, changed and removed settings, name and description, new policies.
import { describe, expect, it } from 'vitest';
import { diffPolicy } from './diff.js';

describe('diffPolicy', () => {
  it('lists added, changed and removed settings and a changed description', () => {
    const before = { name: 'AV', kind: 'antivirus', description: 'old', settings: { a: 1, b: [1, 2], c: true } };
    const after = { name: 'AV', kind: 'antivirus', description: 'new', settings: { a: 2, b: [1, 2], d: 'x' } };
    expect(diffPolicy(before, after)).toEqual([
      { field: 'description', change: 'changed', from: 'old', to: 'new' },
      { field: 'a', change: 'changed', from: 1, to: 2 },
      { field: 'd', change: 'added', to: 'x' },
      { field: 'c', change: 'removed', from: true },
    ]);
  });

  it('shows every field of a new policy as added, and nothing for an unchanged one', () => {
    const doc = { name: 'FW', kind: 'firewall', settings: { x: false } };
    expect(diffPolicy(null, doc)).toEqual([
      { field: 'name', change: 'added', from: undefined, to: 'FW' },
      { field: 'x', change: 'added', to: false },
    ]);
    expect(diffPolicy(doc, { ...doc, settings: { x: false } })).toEqual([]);
  });
});
