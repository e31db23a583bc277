// The console read service on a real SQLite store: the admin's scope groups limit the page and the dashboard, the
// connected filter and flag come from the push hub, and the cursor leads to the next page.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { ManagementStore } from '../store/store.js';
import { enrolledDevice } from '../store/testing/store-fixtures.js';
import type { ServiceContext } from './context.js';
import { parseDeviceListQuery } from './device-list-query.js';
import { getDashboard, listDevicePage } from './device-listing.js';

const NOW = '2026-01-10T12:00:00.000Z';
let dir: string;
let store: ManagementStore;
let connected: Set<string>;
let ctx: ServiceContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-listing-'));
  store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  connected = new Set();
  // Only what the listing uses: the store, the hub's view of open sockets, the clock.
  ctx = {
    store,
    hub: { connectedHere: () => [...connected], isConnected: (id: string) => connected.has(id) },
    clock: { now: () => Date.parse(NOW) },
  } as unknown as ServiceContext;
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('listDevicePage and getDashboard', () => {
  it('keep to the scope groups and take connected devices from the hub', async () => {
    const ids = [await enrolledDevice(store, NOW), await enrolledDevice(store, NOW), await enrolledDevice(store, NOW)];
    await store.createGroup({ groupId: 'g1', name: 'g1', createdAt: NOW });
    for (const id of ids.slice(0, 2)) await store.addGroupMember('g1', id, NOW);
    connected.add(ids[1] as string);
    connected.add(ids[2] as string);

    const request = parseDeviceListQuery({ sort: 'enrolledAt', limit: '1' });
    if (!request) throw new Error('query expected');
    const first = await listDevicePage(ctx, request, ['g1']);
    expect(first.total).toBe(2);
    const next = parseDeviceListQuery({ sort: 'enrolledAt', limit: '1', cursor: first.nextCursor as string });
    if (!next) throw new Error('query expected');
    const second = await listDevicePage(ctx, next, ['g1']);
    expect(new Set([...first.devices, ...second.devices].map((d) => d.deviceId))).toEqual(new Set(ids.slice(0, 2)));
    expect(second.nextCursor).toBeNull();

    const live = await listDevicePage(ctx, { ...request, limit: 10, connected: true }, ['g1']);
    expect(live.devices.map((d) => [d.deviceId, d.connected])).toEqual([[ids[1], true]]);

    const scoped = await getDashboard(ctx, ['g1']);
    expect(scoped.totals).toEqual({ devices: 2, active: 2, revoked: 0, connected: 1 });
    expect(scoped.lastCheckIn).toEqual({ lastHour: 0, lastDay: 0, lastWeek: 0, older: 0, never: 2 });
    expect((await getDashboard(ctx, null)).totals.devices).toBe(3);
    expect((await getDashboard(ctx, [randomUUID()])).totals.devices).toBe(0);
  });
});
