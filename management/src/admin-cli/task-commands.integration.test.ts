// The admin CLI's security task commands and `action create updateSoftware` against a real endpoint: a task created
// from the openssl recommendation of a Debian device (advisories and software given to the vulnerability service),
// listed, shown with its devices and history (hostile notes escaped), accepted with --remediate (the updateSoftware
// action listed per device), rejected only with a note, reopened, completed; usage errors before any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../common/exit-codes.js';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import type { MachineAction, SecurityTaskDetail, SecurityTaskList } from '../../../policy-schemas/src/index.js';
import { recommendationId } from '../service/vulnerabilities/matching/recommendations.js';
import { debianUpload, OSV_FILE } from '../service/vulnerabilities/testing/service-fixtures.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
  await t.endpoint.context.vulnerabilities.importAdvisories({ bytes: OSV_FILE, fileName: 'debian.json' }, { adminId: null, username: 'admin' });
});
afterAll(async () => {
  await t?.close();
});

const { cli, json } = adminCliRunner(() => t.dir);
const OPENSSL = recommendationId('Debian:12', 'openssl');

describe('attache-admin task', () => {
  it('creates, lists, shows, accepts with remediation, rejects with a note, reopens and completes', async () => {
    const device = await t.enrolledDevice({ facts: { platform: 'linux', osVersion: '12', hostname: 'cli-task-1' } });
    await t.endpoint.context.vulnerabilities.acceptSoftware(device.deviceId, debianUpload(device.deviceId));
    const created = await json<SecurityTaskDetail>(
      'task',
      'create',
      '--recommendation',
      OPENSSL,
      '--device',
      'cli-task-1',
      '--priority',
      'high',
      '--notes',
      'patch \u001b[31m now',
    );
    expect(created.task).toMatchObject({ status: 'pending', priority: 'high', managedDeviceCount: 1, creatorNotes: 'patch \u001b[31m now' });
    const taskId = created.task.taskId;
    expect((await json<SecurityTaskList>('task', 'list', '--status', 'pending')).items.map((i) => i.taskId)).toContain(taskId);
    const shown = await cli('task', 'show', taskId);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/devices fixed: +0\/1\n/);
    expect(shown.out).toContain('cli-task-1');
    expect(shown.out).toContain('patch \\x1b[31m now');
    expect(hasUnsafeCharacters(shown.out.replaceAll('\n', ''))).toBe(false);

    const accepted = await json<SecurityTaskDetail>('task', 'accept', taskId, '--remediate');
    expect(accepted.task.status).toBe('active');
    expect(accepted.devices[0]).toMatchObject({ deviceName: 'cli-task-1', fixed: false, actionStatus: 'pending' });
    const noNote = await cli('task', 'reject', taskId);
    expect([noNote.code, noNote.err]).toEqual([EXIT.usage, expect.stringContaining('reject needs --note')]);
    expect((await json<SecurityTaskDetail>('task', 'reject', taskId, '--note', 'accepted risk')).task.status).toBe('rejected');
    expect((await json<SecurityTaskDetail>('task', 'reopen', taskId)).task.status).toBe('pending');
    const wrong = await cli('task', 'complete', taskId);
    expect([wrong.code, wrong.err]).toEqual([EXIT.error, expect.stringContaining('TASK_TRANSITION_INVALID')]);
    await json('task', 'accept', taskId);
    const done = await json<SecurityTaskDetail>('task', 'complete', taskId, '--note', 'by hand');
    expect(done.task).toMatchObject({ status: 'completed', completion: 'manual' });
    expect(done.task.history.map((e) => e.to)).toEqual(['pending', 'active', 'active', 'rejected', 'pending', 'active', 'completed']);
    const listed = await cli('task', 'list');
    expect(listed.out).toContain('completed (manual)');
  });

  it('creates an updateSoftware action from --package, and refuses usage errors before any request', async () => {
    const device = await t.enrolledDevice({ facts: { platform: 'linux', osVersion: '12', hostname: 'cli-task-2' } });
    await t.endpoint.context.vulnerabilities.acceptSoftware(device.deviceId, debianUpload(device.deviceId));
    const action = await json<MachineAction>(
      'action',
      'create',
      'updateSoftware',
      '--device',
      'cli-task-2',
      '--comment',
      'patch',
      '--package',
      'curl=7.88.1-10+deb12u5',
    );
    expect(action.parameters).toEqual({ packages: [{ name: 'curl', source: 'dpkg', fixedVersion: '7.88.1-10+deb12u5' }] });
    const unknown = await cli('action', 'create', 'updateSoftware', '--device', 'cli-task-2', '--comment', 'patch', '--package', 'nginx');
    expect([unknown.code, unknown.err]).toEqual([EXIT.dataErr, expect.stringContaining('packages/0/name: "nginx" is not in device')]);
    const badRec = await cli('task', 'create', '--recommendation', 'openssl');
    expect([badRec.code, badRec.err]).toEqual([EXIT.usage, expect.stringContaining('--recommendation must be a recommendation id')]);
    const remediateReject = await cli('task', 'reject', OPENSSL, '--note', 'x', '--remediate');
    expect(remediateReject.code).toBe(EXIT.usage);
  });
});
