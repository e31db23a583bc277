import { describe, expect, it } from 'vitest';
import { MemoryFileStore } from '../system/file-store.js';
import { isolationSummary, renderIsolation } from './isolation-status.js';

const intent = {
  formatVersion: 1,
  mode: 'full',
  since: '2026-12-05T10:00:00.000Z',
  endpoints: [{ url: 'https://mgmt.example:8443/', host: 'mgmt.example', port: 8443, addresses: ['192.0.2.10'] }],
};

describe('agent status: isolation', () => {
  it('says not isolated without isolation.json', async () => {
    const s = await isolationSummary('/state', new MemoryFileStore());
    expect(s).toEqual({ isolated: false });
    expect(renderIsolation(s)).toBe('not isolated');
  });

  it('names the mode, the time and what stays reachable from isolation.json', async () => {
    const files = new MemoryFileStore();
    await files.writeAtomic('/state/isolation.json', JSON.stringify(intent));
    const s = await isolationSummary('/state', files);
    expect(s).toEqual({ isolated: true, mode: 'full', since: intent.since, allowed: ['mgmt.example:8443'] });
    expect(renderIsolation(s)).toBe('ISOLATED (full) since 2026-12-05T10:00:00.000Z: only mgmt.example:8443 and loopback are reachable; an admin releases it');
  });

  it('reports an unreadable isolation.json instead of failing the status', async () => {
    const files = new MemoryFileStore();
    await files.writeAtomic('/state/isolation.json', '{"formatVersion": 1, "mode": "full\u001b[2J"');
    const s = await isolationSummary('/state', files);
    expect(s.isolated).toBeNull();
    expect(renderIsolation(s)).toMatch(/^isolation state unknown: /);
    expect(renderIsolation(s)).not.toContain('\u001b');
  });
});
