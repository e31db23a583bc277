// Tests of SecurityTaskService on a real SQLite store holding the devices' software: a task made from a recommendation
// for its exposed devices, transitions with history, remediation creating one action per unfixed device (a refusal
// listed, never failing the change), automatic completion after recomputes, and a deleted device dropped from the count.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import type { MachineAction, RecommendationDetail, SignedAction } from '../../../../policy-schemas/src/index.js';
import { createSilentLogger } from '../../logging.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import type { ManagementStore } from '../../store/store.js';
import { countingProxy } from '../../store/testing/counting-store.js';
import { codeOf, enrolledDevice } from '../../store/testing/store-fixtures.js';
import { debPackage } from '../../store/testing/vulnerability-fixtures.js';
import { SecurityTaskService, type UpdateSoftwareCreator } from './security-tasks.js';

const T0 = Date.parse('2025-03-10T12:00:00.000Z');
const REC = 'c'.repeat(32);
const FIXED = '3.0.15-1~deb12u1';
const alice = { adminId: null, username: 'alice' };

let dir: string;
let store: ManagementStore;
let now = T0;
let devices: string[];
let service: SecurityTaskService;

/** Records the device's software: libssl3 and openssl (source openssl) at `version`, and curl. */
async function upload(deviceId: string, version: string): Promise<void> {
  const ids = await store.upsertPackages([
    debPackage('openssl', version),
    debPackage('libssl3', version, { matchedName: 'openssl', keys: ['osv:Debian:openssl'] }),
    debPackage('curl', '7.88.1-10+deb12u8'),
  ]);
  const at = new Date(now).toISOString();
  await store.recordSoftware({
    deviceId,
    os: { name: 'Debian GNU/Linux', version: '12' },
    collectedAt: at,
    receivedAt: at,
    digest: randomUUID().replaceAll('-', '').repeat(2),
    truncated: false,
    packageIds: [...ids],
  });
}

/** The recommendation as VulnerabilityService.recommendation answers it for the exposed devices. */
async function recommendation(id: string): Promise<RecommendationDetail> {
  if (id !== REC) throw new AttacheError('RECOMMENDATION_NOT_FOUND', `no recommendation ${id}`);
  return {
    recommendation: {
      recommendationId: REC,
      title: `Update openssl to ${FIXED} or later`,
      software: 'openssl',
      vendor: 'Debian',
      ecosystem: 'Debian:12',
      fixedVersion: FIXED,
      exposedDevices: devices.length,
      advisories: 2,
      cves: 2,
      highestSeverity: 'high',
      highestCvss: 7.5,
      installedVersions: [{ version: '3.0.11-1~deb12u2', devices: devices.length }],
      openTasks: 0,
    },
    advisories: [],
    devices: devices.map((deviceId) => ({ deviceId, deviceName: 'ws-042', level: 'medium', installed: [{ name: 'openssl', version: '3.0.11-1~deb12u2' }] })),
  };
}

/** Stores a real action row for the device (as createAction would), refusing `busy` devices as a family in flight. */
function creator(busy: Set<string>, calls: unknown[]): UpdateSoftwareCreator {
  return async (deviceId, body, taskId) => {
    calls.push({ deviceId, body, taskId });
    if (busy.has(deviceId)) throw new AttacheError('ACTION_IN_PROGRESS', 'an updateSoftware action is in flight');
    const actionId = randomUUID();
    const at = new Date(now).toISOString();
    await store.createAction({
      actionId,
      deviceId,
      type: 'updateSoftware',
      family: 'software',
      parameters: { packages: [], taskId },
      envelope: { payload: { actionId }, keyId: 'a'.repeat(32), signature: 'sig' } as unknown as SignedAction,
      requestor: alice,
      requestorComment: body.comment,
      createdAt: at,
      expiresAt: new Date(now + 3_600_000).toISOString(),
    });
    return { id: actionId } as MachineAction;
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-tasks-'));
  store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  now = T0;
  const at = new Date(now).toISOString();
  devices = [await enrolledDevice(store, at), await enrolledDevice(store, at)];
  for (const d of devices) await upload(d, '3.0.11-1~deb12u2');
  service = new SecurityTaskService({ store, software: store, recommendation, clock: { now: () => now }, logger: createSilentLogger() });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SecurityTaskService', () => {
  it('creates a task for the exposed devices, or a subset of them, and refuses others by name', async () => {
    const task = await service.create({ recommendationId: REC, priority: 'high', creatorNotes: 'before Friday' }, alice);
    expect(task).toMatchObject({
      status: 'pending',
      appName: 'openssl',
      appVersion: FIXED,
      ecosystem: 'Debian:12',
      mitigationType: 'update',
      creator: 'alice',
    });
    expect(task).toMatchObject({ managedDeviceCount: 2, fixedDeviceCount: 0, history: [{ by: 'alice', from: null, to: 'pending' }] });
    expect((await service.create({ recommendationId: REC, deviceIds: [devices[0] as string] }, alice)).managedDeviceCount).toBe(1);
    const stranger = randomUUID();
    await expect(service.create({ recommendationId: REC, deviceIds: [stranger] }, alice)).rejects.toThrow(`deviceIds: device ${stranger} is not exposed`);
    expect(await codeOf(service.create({ recommendationId: 'd'.repeat(32) }, alice))).toBe('RECOMMENDATION_NOT_FOUND');
    expect(await codeOf(service.create({ recommendationId: REC, dueDateTime: '2020-01-01T00:00:00.000Z' }, alice))).toBe('TASK_INVALID');
    expect(await codeOf(service.create({ recommendationId: REC, creatorNotes: 'a\u0000b' }, alice))).toBe('TASK_INVALID');
    expect(await codeOf(service.create({ recommendationId: 'nope' }, alice))).toBe('SCHEMA_INVALID');
    expect(Object.fromEntries(await service.openTaskCounts([REC]))).toEqual({ [REC]: 2 });
  });

  it('refuses a task for all exposed devices when the recommendation has more than one task can target (no silent cut)', async () => {
    // The detail lists the first devices only; the recommendation counts 12,000.
    const many = async (id: string): Promise<RecommendationDetail> => {
      const detail = await recommendation(id);
      return { ...detail, recommendation: { ...detail.recommendation, exposedDevices: 12_000 } };
    };
    const big = new SecurityTaskService({ store, software: store, recommendation: many, clock: { now: () => now }, logger: createSilentLogger() });
    const refused = big.create({ recommendationId: REC }, alice);
    expect(await codeOf(refused)).toBe('TASK_INVALID');
    await expect(big.create({ recommendationId: REC }, alice)).rejects.toThrow(/12000 exposed devices, more than the 10000 one task targets.*deviceIds/);
    expect((await big.create({ recommendationId: REC, deviceIds: [devices[0] as string] }, alice)).managedDeviceCount).toBe(1);
  });

  it('reads the packages of the task software once per detail, never every package of each device', async () => {
    const { proxy: software, calls } = countingProxy(store);
    const counted = new SecurityTaskService({ store, software, recommendation, clock: { now: () => now }, logger: createSilentLogger() });
    const task = await counted.create({ recommendationId: REC }, alice);
    await upload(devices[0] as string, FIXED);
    calls.clear();
    const detail = await counted.detail(task.taskId);
    expect(detail.devices.map((d) => d.fixed)).toEqual([true, false]);
    expect(detail.devices[1]?.installedVersion).toBe('3.0.11-1~deb12u2');
    expect(calls.get('packagesByIds') ?? 0).toBe(0);
    expect(calls.get('packagesByMatchedName')).toBe(1);
  });

  it('creates at most remediationBatch actions per request, names them in the history, and continues on the next remediate', async () => {
    const batched = new SecurityTaskService({
      store,
      software: store,
      recommendation,
      clock: { now: () => now },
      logger: createSilentLogger(),
      remediationBatch: 1,
    });
    const task = await batched.create({ recommendationId: REC }, alice);
    const calls: { deviceId: string }[] = [];
    const first = await batched.changeStatus(task.taskId, { status: 'active', remediate: true }, alice, creator(new Set(), calls));
    expect(calls.map((c) => c.deviceId)).toEqual([devices[0]]);
    const firstAction = first.devices.find((d) => d.deviceId === devices[0])?.actionId as string;
    expect(first.task.history[2]?.note).toBe(
      `remediation: 1 updateSoftware actions created; 1 devices not tried (at most 1 per request): remediate again to continue; actions ${firstAction}`,
    );
    const second = await batched.changeStatus(task.taskId, { status: 'active', remediate: true }, alice, creator(new Set(), calls));
    // Devices without an action from this task go first: the second request continues with the other device.
    expect(calls.map((c) => c.deviceId)).toEqual([devices[0], devices[1]]);
    expect(second.devices.every((d) => d.actionId !== null)).toBe(true);
  });

  it('remediates each unfixed device, lists refusals in the history, and completes itself once every device is fixed', async () => {
    const task = await service.create({ recommendationId: REC }, alice);
    const calls: unknown[] = [];
    const first = devices[0] as string;
    const second = devices[1] as string;
    now += 60_000;
    const accepted = await service.changeStatus(task.taskId, { status: 'active', remediate: true }, alice, creator(new Set([second]), calls));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      deviceId: first,
      taskId: task.taskId,
      body: { comment: `Security task ${task.taskId}: Update openssl to ${FIXED} or later`, packages: [{ name: 'openssl', fixedVersion: FIXED }] },
    });
    expect(accepted.task.status).toBe('active');
    expect(accepted.task.history.map((e) => [e.from, e.to])).toEqual([
      [null, 'pending'],
      ['pending', 'active'],
      ['active', 'active'],
    ]);
    expect(accepted.task.history[2]?.note).toMatch(
      /^remediation: 1 updateSoftware actions created; refused on 1 devices: .*ACTION_IN_PROGRESS.*; actions [0-9a-f-]{36}$/,
    );
    const progress = new Map(accepted.devices.map((d) => [d.deviceId, d]));
    expect(progress.get(first)).toMatchObject({ fixed: false, installedVersion: '3.0.11-1~deb12u2', actionStatus: 'pending' });
    expect(progress.get(second)).toMatchObject({ fixed: false, actionId: null, actionStatus: null });

    await upload(first, FIXED);
    await service.onRecomputed([first]);
    let detail = await service.detail(task.taskId);
    expect(detail.task).toMatchObject({ status: 'active', fixedDeviceCount: 1, managedDeviceCount: 2 });
    expect(detail.devices.find((d) => d.deviceId === first)).toMatchObject({ fixed: true, installedVersion: FIXED });

    await upload(second, '3.0.16-1~deb12u1');
    await service.onRecomputed([second]);
    detail = await service.detail(task.taskId);
    expect(detail.task).toMatchObject({ status: 'completed', completion: 'automatic', fixedDeviceCount: 2 });
    expect(detail.task.history.at(-1)).toMatchObject({ by: 'system', from: 'active', to: 'completed', note: 'every targeted device is fixed (2/2)' });
    expect((await service.openTaskCounts([REC])).size).toBe(0);
    expect(await codeOf(service.changeStatus(task.taskId, { status: 'pending' }, alice))).toBe('TASK_TRANSITION_INVALID');
  });

  it('rejects only with a note, reopens, completes manually, and pages the list newest first', async () => {
    const a = await service.create({ recommendationId: REC }, alice);
    now += 1000;
    const b = await service.create({ recommendationId: REC }, alice);
    expect(await codeOf(service.changeStatus(a.taskId, { status: 'rejected' }, alice))).toBe('TASK_TRANSITION_INVALID');
    await service.changeStatus(a.taskId, { status: 'rejected', note: 'accepted risk' }, alice);
    await service.changeStatus(a.taskId, { status: 'pending' }, alice);
    await service.changeStatus(a.taskId, { status: 'active' }, alice);
    const done = await service.changeStatus(a.taskId, { status: 'completed', note: 'patched by hand' }, alice);
    expect(done.task).toMatchObject({ status: 'completed', completion: 'manual' });
    expect(await codeOf(service.changeStatus(randomUUID(), { status: 'active' }, alice))).toBe('TASK_NOT_FOUND');
    const page = await service.list({ limit: '1' });
    expect(page.items.map((t) => t.taskId)).toEqual([b.taskId]);
    const next = await service.list({ limit: '1', cursor: page.nextCursor as string });
    expect(next).toMatchObject({ items: [{ taskId: a.taskId }], nextCursor: null });
    expect((await service.list({ status: 'completed' })).items.map((t) => t.taskId)).toEqual([a.taskId]);
    expect(await codeOf(service.list({ status: 'done' }))).toBe('QUERY_INVALID');
  });

  it('drops a deleted device from open tasks with a note, never counting it fixed', async () => {
    const task = await service.create({ recommendationId: REC }, alice);
    const gone = devices[1] as string;
    await store.deleteDevice(gone);
    await service.forgetDevice(gone);
    const detail = await service.detail(task.taskId);
    expect(detail.task).toMatchObject({ managedDeviceCount: 1, fixedDeviceCount: 0, status: 'pending' });
    expect(detail.task.history.at(-1)).toMatchObject({ by: 'system', note: `device ${gone} was deleted: dropped from the task` });
    await upload(devices[0] as string, FIXED);
    await service.onRecomputed([devices[0] as string]);
    expect((await service.detail(task.taskId)).task).toMatchObject({ status: 'completed', completion: 'automatic', fixedDeviceCount: 1 });
  });

  it('the leader sweep completes a task whose completion update was lost, and drops revoked devices with a note', async () => {
    const task = await service.create({ recommendationId: REC }, alice);
    const [a, b] = devices as [string, string];
    // Every write of A's progress conflicts: the listener gives up (its error is only logged by the recomputer).
    let conflicts = 4;
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'updateSecurityTask' && conflicts > 0) {
          return async () => {
            conflicts--;
            throw new AttacheError('CONFLICT', 'changed meanwhile');
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const unlucky = new SecurityTaskService({ store: flaky, software: store, recommendation, clock: { now: () => now }, logger: createSilentLogger() });
    await upload(a, FIXED);
    await expect(unlucky.onRecomputed([a])).rejects.toThrow('changed meanwhile');
    await upload(b, FIXED);
    await service.onRecomputed([b]);
    expect((await service.detail(task.taskId)).task).toMatchObject({ status: 'pending', fixedDeviceCount: 1 });
    now += 60_000;
    expect(await service.sweep()).toBe(1);
    const done = await service.detail(task.taskId);
    expect(done.task).toMatchObject({ status: 'completed', completion: 'automatic', fixedDeviceCount: 2 });
    expect(await service.sweep()).toBe(0);

    const second = await service.create({ recommendationId: REC }, alice);
    const other = await enrolledDevice(store, new Date(now).toISOString());
    await upload(other, '3.0.11-1~deb12u2');
    devices = [a, other];
    const third = await service.create({ recommendationId: REC }, alice);
    await store.revokeDevice(other);
    expect(await service.sweep()).toBe(2);
    expect((await service.detail(second.taskId)).task).toMatchObject({ status: 'completed' });
    const swept = await service.detail(third.taskId);
    expect(swept.task).toMatchObject({ status: 'completed', managedDeviceCount: 1, fixedDeviceCount: 1 });
    expect(swept.task.history.map((e) => e.note)).toContain(`device ${other} was revoked: dropped from the task`);
  });
});
