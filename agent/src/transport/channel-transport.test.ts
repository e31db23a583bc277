// Unit tests of the channel transport: which path a request takes, a delivered set answering the next fetch, an
// overtaken delivery ignored, endpoint errors passed through and a lost socket falling back to HTTPS.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import type { PoliciesResponse, StatusReport } from '../../../policy-schemas/src/index.js';
import { type AgentTransport, ChannelTransport } from './channel-transport.js';
import { ChannelUnavailableError } from './push-client.js';

const DEVICE = '11111111-1111-4111-8111-111111111111';
const SIGNATURE = `${'A'.repeat(86)}==`;

function body(setVersion: number, etag = `"${String(setVersion).padStart(64, '0')}"`): PoliciesResponse {
  return {
    deviceId: DEVICE,
    etag,
    manifest: {
      payload: { deviceId: DEVICE, tenantId: DEVICE, setVersion, issuedAt: '2026-12-05T00:00:00.000Z', policies: [] },
      keyId: 'a'.repeat(32),
      signature: SIGNATURE,
    },
    policies: [],
  };
}

const REPORT = { reportId: DEVICE, deviceId: DEVICE } as StatusReport;

/** HTTPS that records what was asked and answers from `policies`. */
function https(policies: PoliciesResponse) {
  const calls: string[] = [];
  const transport: AgentTransport = {
    getPolicies: async (etag) => {
      calls.push(`getPolicies ${etag ?? ''}`);
      return etag === policies.etag ? { notModified: true } : { notModified: false, body: policies };
    },
    postReport: async (report) => {
      calls.push('postReport');
      return { reportId: report.reportId, duplicate: false, stale: false };
    },
    postAlerts: async () => {
      throw new Error('unused');
    },
    postHealth: async () => undefined,
    postInventory: async () => undefined,
    postSoftware: async (upload) => {
      calls.push('postSoftware');
      return { digest: upload.inventory.digest, stored: true };
    },
    postActionUpdates: async (request) => {
      calls.push('postActionUpdates');
      return { acks: request.updates.map((u) => ({ actionId: u.actionId, sequence: u.sequence, status: u.status })) };
    },
  };
  return { calls, transport };
}

/** A channel that answers with `answer` (or throws it). */
function channel(ready: boolean, answer: (method: string, fields: unknown) => unknown) {
  const calls: string[] = [];
  return {
    calls,
    channel: {
      ready,
      request: async (method: string, fields: unknown) => {
        calls.push(method);
        return answer(method, fields);
      },
    },
  };
}

describe('ChannelTransport', () => {
  it('uses the socket when it is ready and HTTPS when it is not', async () => {
    const h = https(body(1));
    const c = channel(true, (method) => (method === 'getPolicies' ? { notModified: true } : { reportId: DEVICE, duplicate: false, stale: false }));
    const via: string[] = [];
    let open = true;
    const t = new ChannelTransport(h.transport, () => (open ? c.channel : undefined), { onCheckin: (_n, path) => via.push(path) });
    expect(await t.getPolicies('"x"')).toEqual({ notModified: true });
    expect(await t.postReport(REPORT)).toEqual({ reportId: DEVICE, duplicate: false, stale: false });
    open = false;
    expect(await t.getPolicies(undefined)).toEqual({ notModified: false, body: body(1) });
    expect(c.calls).toEqual(['getPolicies', 'postReport']);
    expect(h.calls).toEqual(['getPolicies ']);
    expect(via).toEqual(['channel', 'https']);
  });

  it('answers the next fetch with a delivered set once, and ignores a delivery older than a fetched set', async () => {
    const h = https(body(1));
    const c = channel(true, () => body(5));
    const t = new ChannelTransport(h.transport, () => c.channel);
    t.offer(body(3));
    expect(await t.getPolicies(undefined)).toEqual({ notModified: false, body: body(3) });
    expect(await t.getPolicies(body(3).etag)).toEqual({ notModified: false, body: body(5) });
    t.offer(body(4));
    expect(await t.getPolicies(body(5).etag)).toEqual({ notModified: false, body: body(5) });
    t.offer(body(5));
    expect(await t.getPolicies(body(5).etag)).toEqual({ notModified: true });
    expect(c.calls).toEqual(['getPolicies', 'getPolicies']);
  });

  it('passes endpoint errors through and refuses a malformed answer as a refused set', async () => {
    const h = https(body(1));
    const refusing = new ChannelTransport(
      h.transport,
      () =>
        channel(true, () => {
          throw new AttacheError('SCHEMA_INVALID', 'status report is invalid');
        }).channel,
    );
    await expect(refusing.postReport(REPORT)).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    const malformed = new ChannelTransport(h.transport, () => channel(true, () => ({ deviceId: 'nope' })).channel);
    await expect(malformed.getPolicies(undefined)).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    // A malformed delivery too: it is validated once, when the sync uses it.
    malformed.offer({ ...body(9), manifest: 'forged' });
    await expect(malformed.getPolicies(undefined)).rejects.toMatchObject({ code: 'SCHEMA_INVALID', message: expect.stringContaining('/manifest') });
    expect(h.calls).toEqual([]);
  });

  it('falls back to HTTPS when the socket closes before the answer', async () => {
    const h = https(body(2));
    const t = new ChannelTransport(
      h.transport,
      () =>
        channel(true, () => {
          throw new ChannelUnavailableError('push channel closed before the answer');
        }).channel,
    );
    expect(await t.postReport(REPORT)).toEqual({ reportId: DEVICE, duplicate: false, stale: false });
    expect(await t.getPolicies(undefined)).toEqual({ notModified: false, body: body(2) });
    expect(h.calls).toEqual(['postReport', 'getPolicies ']);
  });

  it('sends action updates over the socket, over HTTPS without one, and refuses an ack that fails its schema', async () => {
    const update = { actionId: DEVICE, deviceId: DEVICE, sequence: 2, status: 'succeeded' as const, at: '2026-12-05T00:00:00.000Z' };
    const ack = { acks: [{ actionId: DEVICE, sequence: 2, status: 'succeeded' }] };
    const h = https(body(1));
    let answer: unknown = ack;
    const c = channel(true, () => answer);
    let open = true;
    const t = new ChannelTransport(h.transport, () => (open ? c.channel : undefined));
    expect(await t.postActionUpdates({ updates: [update] })).toEqual(ack);
    open = false;
    expect(await t.postActionUpdates({ updates: [update] })).toEqual(ack);
    expect(c.calls).toEqual(['postActionUpdates']);
    expect(h.calls).toEqual(['postActionUpdates']);
    open = true;
    answer = { acks: [{ actionId: DEVICE }] };
    await expect(t.postActionUpdates({ updates: [update] })).rejects.toMatchObject({ code: 'ENDPOINT_ERROR' });
  });

  it('sends the software inventory over HTTPS even with the socket ready (large and rare), and says so when HTTPS has no route', async () => {
    const h = https(body(1));
    const c = channel(true, () => {
      throw new Error('the channel must not carry software');
    });
    const t = new ChannelTransport(h.transport, () => c.channel);
    const upload = {
      deviceId: DEVICE,
      inventory: {
        collectedAt: '2026-12-05T00:00:00.000Z',
        os: { name: 'Debian GNU/Linux', version: '12' },
        items: [],
        truncated: false,
        digest: 'a'.repeat(64),
      },
    };
    expect(await t.postSoftware(upload)).toEqual({ digest: 'a'.repeat(64), stored: true });
    expect(h.calls).toEqual(['postSoftware']);
    expect(c.calls).toEqual([]);
    const { postSoftware: _omitted, ...old } = h.transport;
    expect(() => new ChannelTransport(old, () => c.channel).postSoftware(upload)).toThrow(/no route for software uploads/);
  });
});
