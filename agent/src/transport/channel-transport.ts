// The agent's transport: each device request goes over the push channel when it is open and speaks channel 2, and
// over signed HTTPS otherwise (or when the socket closes before the answer: every request is idempotent). A set the
// endpoint delivered over the socket answers the next policy fetch without a round trip. Answers are validated by the
// same schemas, with the same error codes, on both paths.
import { isDeepStrictEqual } from 'node:util';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  ActionUpdatesAck,
  type ActionUpdatesAck as ActionUpdatesAckT,
  type ActionUpdatesRequest,
  type AlertReport,
  AlertReportAck,
  type AlertReportAck as AlertReportAckT,
  type ChannelMethod,
  type HealthUpload,
  type InventoryUpload,
  PoliciesResponse,
  ReportAck,
  type ReportAck as ReportAckT,
  type SoftwareUpload,
  type StatusReport,
} from '../../../policy-schemas/src/index.js';
import type { EndpointClient, PoliciesResult } from './endpoint-client.js';
import { ChannelUnavailableError, type PushClient } from './push-client.js';

/** The device requests of a sync and of signal delivery. */
export type AgentTransport = Pick<EndpointClient, 'getPolicies' | 'postReport' | 'postAlerts' | 'postHealth' | 'postInventory'> &
  /**
   * Absent in a transport that predates response actions (then updates stay queued, retried like an outage, and a
   * package cannot be uploaded: its action fails ACTION_UNSUPPORTED).
   */
  Partial<Pick<EndpointClient, 'postActionUpdates' | 'getPackageUpload' | 'putPackageChunk' | 'postSoftware'>>;

/** What the embedding process may count (the simulator); called for both paths. */
export interface TransportHooks {
  onCheckin?(notModified: boolean, via: 'channel' | 'https'): void;
  onReportAcked?(report: StatusReport, ack: ReportAckT, via: 'channel' | 'https'): void;
}

/** The `result` of a getPolicies request whose etag still matches (HTTPS: 304). */
const NOT_MODIFIED = { notModified: true };

export class ChannelTransport implements Required<AgentTransport> {
  /** A set delivered over the socket, not validated yet (getPolicies validates it as a fetched response). */
  private delivered: unknown;
  /** The highest set version any answer carried: a delivery older than that (overtaken by a fetch) is not used. */
  private newestSetVersion = 0;

  constructor(
    private readonly https: AgentTransport,
    private readonly channel: () => Pick<PushClient, 'ready' | 'request'> | undefined,
    private readonly hooks: TransportHooks = {},
  ) {}

  /** Keeps a set the endpoint delivered over the socket for the next fetch (the latest delivery wins). */
  offer(body: unknown): void {
    this.delivered = body;
  }

  async getPolicies(etag: string | undefined): Promise<PoliciesResult> {
    const raw = this.delivered;
    this.delivered = undefined;
    // A malformed delivery is refused as data (SCHEMA_INVALID: a rejected set, reported), as a malformed fetch is.
    const delivered = raw === undefined ? undefined : validate(PoliciesResponse, raw, 'policies response', 'SCHEMA_INVALID');
    let result: PoliciesResult;
    let via: 'channel' | 'https' = 'channel';
    if (delivered && delivered.manifest.payload.setVersion >= this.newestSetVersion) {
      result = delivered.etag === etag ? { notModified: true } : { notModified: false, body: delivered };
    } else {
      const answered = await this.send(
        'getPolicies',
        etag === undefined ? {} : { etag },
        (raw): PoliciesResult =>
          isDeepStrictEqual(raw, NOT_MODIFIED)
            ? { notModified: true }
            : { notModified: false, body: validate(PoliciesResponse, raw, 'policies response', 'SCHEMA_INVALID') },
        () => this.https.getPolicies(etag),
      );
      result = answered.value;
      via = answered.via;
    }
    if (!result.notModified) this.newestSetVersion = Math.max(this.newestSetVersion, result.body.manifest.payload.setVersion);
    this.hooks.onCheckin?.(result.notModified, via);
    return result;
  }

  async postReport(report: StatusReport): Promise<ReportAckT> {
    const { value, via } = await this.send(
      'postReport',
      { body: report },
      (raw) => validate(ReportAck, raw, 'report acknowledgement', 'ENDPOINT_ERROR'),
      () => this.https.postReport(report),
    );
    this.hooks.onReportAcked?.(report, value, via);
    return value;
  }

  async postAlerts(report: AlertReport): Promise<AlertReportAckT> {
    const answered = await this.send(
      'postAlerts',
      { body: report },
      (raw) => validate(AlertReportAck, raw, 'alert report acknowledgement', 'ENDPOINT_ERROR'),
      () => this.https.postAlerts(report),
    );
    return answered.value;
  }

  async postActionUpdates(body: ActionUpdatesRequest): Promise<ActionUpdatesAckT> {
    const answered = await this.send(
      'postActionUpdates',
      { body },
      (raw) => validate(ActionUpdatesAck, raw, 'action updates acknowledgement', 'ENDPOINT_ERROR'),
      () => {
        if (!this.https.postActionUpdates) throw new AttacheError('NOT_FOUND', 'this transport has no route for action updates');
        return this.https.postActionUpdates(body);
      },
    );
    return answered.value;
  }

  /** Package chunks are raw bytes: they always travel over HTTPS (the channel carries JSON). */
  getPackageUpload(actionId: string): ReturnType<EndpointClient['getPackageUpload']> {
    if (!this.https.getPackageUpload) throw new AttacheError('NOT_FOUND', 'this transport has no route for package uploads');
    return this.https.getPackageUpload(actionId);
  }

  putPackageChunk(...args: Parameters<EndpointClient['putPackageChunk']>): ReturnType<EndpointClient['putPackageChunk']> {
    if (!this.https.putPackageChunk) throw new AttacheError('NOT_FOUND', 'this transport has no route for package uploads');
    return this.https.putPackageChunk(...args);
  }

  /** The software inventory is large and rare: always over HTTPS (the channel's methods do not include it). */
  postSoftware(upload: SoftwareUpload): ReturnType<EndpointClient['postSoftware']> {
    if (!this.https.postSoftware) throw new AttacheError('NOT_FOUND', 'this transport has no route for software uploads');
    return this.https.postSoftware(upload);
  }

  async postHealth(upload: HealthUpload): Promise<void> {
    await this.send(
      'postHealth',
      { body: upload },
      () => undefined,
      () => this.https.postHealth(upload),
    );
  }

  async postInventory(upload: InventoryUpload): Promise<void> {
    await this.send(
      'postInventory',
      { body: upload },
      () => undefined,
      () => this.https.postInventory(upload),
    );
  }

  /** Over the socket when it is ready; over HTTPS when it is not, or when it closed before the answer. */
  private async send<T>(
    method: ChannelMethod,
    fields: { readonly body?: unknown; readonly etag?: string },
    parse: (raw: unknown) => T,
    https: () => Promise<T>,
  ): Promise<{ value: T; via: 'channel' | 'https' }> {
    const channel = this.channel();
    if (channel?.ready) {
      try {
        return { value: parse(await channel.request(method, fields)), via: 'channel' };
      } catch (err) {
        if (!(err instanceof ChannelUnavailableError)) throw err;
      }
    }
    return { value: await https(), via: 'https' };
  }
}
