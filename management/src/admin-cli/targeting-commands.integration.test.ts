// Integration test of the admin CLI's targeting commands against a real endpoint: what-if (policy-create,
// policy-update, assign --exclude), policy status, device events and tags, assign --exclude, unassign, policy delete,
// and dynamic groups by device OS (group create-dynamic with an `os` condition).
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment, Device, DeviceEvents, Group, PolicyStatusReport, PolicySummary, WhatIfResponse } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

describe('attache-admin targeting commands', () => {
  it('previews and makes targeting changes, then shows policy status and device events', async () => {
    const device = await t.enrolledDevice();
    const file = join(t.dir, 'rtp-on.json');
    await writeFile(file, JSON.stringify({ name: 'RTP on', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } }));
    const off = join(t.dir, 'rtp-off.json');
    await writeFile(off, JSON.stringify({ name: 'RTP off', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } }));
    await json('group', 'create', 'Desks');
    await json('group', 'add-device', 'Desks', device.deviceId);

    const preview = await json<WhatIfResponse>('what-if', 'policy-create', '--file', file, '--group', 'Desks');
    expect(preview.devices[0]?.changes).toEqual([{ settingId: 'defender.AllowRealtimeMonitoring', from: null, to: 1 }]);
    expect((await json<{ policies: unknown[] }>('policy', 'list')).policies).toEqual([]);

    const on = await json<PolicySummary>('policy', 'create', '--file', file);
    await json('assign', on.policyId, 'Desks');
    const update = await cli('what-if', 'policy-update', on.policyId, '--file', off);
    expect(update.out).toContain('defender.AllowRealtimeMonitoring');
    expect(update.out).toContain('1 → 0');
    const offPolicy = await json<PolicySummary>('policy', 'create', '--file', off);
    const conflict = await json<WhatIfResponse>('what-if', 'assign', offPolicy.policyId, 'Desks');
    expect(conflict.devices[0]?.newConflicts.map((c) => c.settingId)).toEqual(['defender.AllowRealtimeMonitoring']);

    await json('group', 'create', 'NoRTP');
    await json('group', 'add-device', 'NoRTP', device.deviceId);
    const excluded = await json<WhatIfResponse>('what-if', 'assign', on.policyId, 'NoRTP', '--exclude');
    expect(excluded.devices[0]?.restored.map((r) => r.settingId)).toEqual(['defender.AllowRealtimeMonitoring']);
    const exclusion = await json<Assignment>('assign', on.policyId, 'NoRTP', '--exclude');
    expect(exclusion.mode).toBe('exclude');
    expect((await json<PolicyStatusReport>('policy', 'status', on.policyId)).devices).toEqual([]);
    await json('unassign', exclusion.assignmentId);
    const status = await json<PolicyStatusReport>('policy', 'status', on.policyId);
    expect(status.counts.pending).toBe(1);
    expect((await cli('policy', 'status', on.policyId)).out).toContain('defender.AllowRealtimeMonitoring');

    const at = new Date().toISOString();
    await device.post('/v1/device/reports', {
      reportId: randomUUID(),
      deviceId: device.deviceId,
      generatedAt: at,
      agentVersion: '0.1.0',
      trigger: 'schedule',
      durationMs: 1,
      policies: [],
      settings: [],
      events: [{ type: 'rejected', at, policyId: on.policyId, version: 1, code: 'POLICY_SIGNATURE_INVALID', message: 'bad signature' }],
    });
    const events = await json<DeviceEvents>('device', 'events', device.deviceId);
    expect(events.events.map((e) => e.type)).toEqual(['rejected']);
    expect((await cli('device', 'events', device.deviceId)).out).toContain('POLICY_SIGNATURE_INVALID');

    const tagged = await json<{ tags: string[] }>('device', 'tag', device.deviceId, '--add', 'MDE-Management', '--add', 'Finance');
    expect(tagged.tags).toEqual(['Finance', 'MDE-Management']);
    await json('policy', 'delete', on.policyId);
    expect((await cli('policy', 'show', on.policyId)).err).toMatch(/^error NOT_FOUND: /);
  });

  it('creates a dynamic group on device OS from a rule file and shows the rule', async () => {
    const server = await t.enrolledDevice({ facts: { hostname: 'srv-cli', osVersion: '10.0.20348', osType: 'server' } });
    await t.enrolledDevice({ facts: { osType: 'workstation' } });
    const file = join(t.dir, 'servers.json');
    await writeFile(file, JSON.stringify({ match: 'all', conditions: [{ attribute: 'os', equals: 'windowsServer' }] }));

    const human = await cli('group', 'create-dynamic', 'Windows servers', '--rule-file', file);
    expect(human.code).toBe(0);
    expect(human.out).toContain('rule: all of\n  os = windowsServer\n');
    const group = (await json<{ groups: Group[] }>('group', 'list')).groups.find((g) => g.name === 'Windows servers');
    expect(group).toMatchObject({ membership: 'dynamic', memberCount: 1, rule: { conditions: [{ attribute: 'os', equals: 'windowsServer' }] } });
    const shown = await json<Device>('device', 'show', server.deviceId);
    expect([shown.osType, shown.groups]).toEqual(['server', ['Windows servers']]);
    expect((await cli('device', 'show', server.deviceId)).out).toMatch(/platform:\s+windows 10\.0\.20348 \(x64, server\)/);

    await writeFile(file, JSON.stringify({ match: 'all', conditions: [{ attribute: 'os', equals: 'windows server' }] }));
    const bad = await cli('group', 'create-dynamic', 'Bad', '--rule-file', file);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/^error SCHEMA_INVALID: /);
  });
});
