// The real signed HTTPS client of one simulated host, behind a fault gate: a partitioned or crashed host's requests
// fail as a real network would, every request and acknowledgement is counted, and the connection can be released
// after a sync (a real agent's next sync usually comes after the endpoint closed its idle keep-alive connection).
// Releasing destroys the sockets but keeps the client and its https.Agent, whose TLS session cache lets the next
// connection resume the session, as a long-running agent's does (Node's Agent stays usable after destroy()).
import type { KeyObject } from 'node:crypto';
import { EndpointClient, type PoliciesResult } from '../../../agent/src/transport/endpoint-client.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import type {
  ActionUpdatesAck,
  ActionUpdatesRequest,
  AgentIdentity,
  AlertReport,
  AlertReportAck,
  HealthUpload,
  InventoryUpload,
  PackageUploadStatus,
  ReportAck,
  SoftwareUpload,
  SoftwareUploadAck,
  StatusReport,
} from '../../../policy-schemas/src/index.js';

/** What the transport tells its host (check-ins and acknowledgements come from the runtime's hooks, for both paths). */
export interface TransportEvents {
  onRequestError(code: string, message: string): void;
}

/** Whether requests may pass right now. */
export interface Gate {
  /** Why requests fail now (partition, crashed process), or undefined when they pass. */
  blocked(): string | undefined;
  /** False once the agent process is gone: what its leftover work runs into is not the fleet's error. */
  countErrors(): boolean;
}

export class HostTransport {
  private client: EndpointClient | undefined;
  private inFlight = 0;

  constructor(
    private readonly options: { readonly identity: AgentIdentity; readonly privateKey: KeyObject; readonly now: () => number },
    private readonly gate: Gate,
    private readonly events: TransportEvents,
  ) {}

  /** A client for signing only (the push upgrade); it never opens a connection of its own. */
  signer(): EndpointClient {
    return this.newClient();
  }

  getPolicies(etag: string | undefined): Promise<PoliciesResult> {
    return this.request((client) => client.getPolicies(etag));
  }

  postReport(report: StatusReport): Promise<ReportAck> {
    return this.request((client) => client.postReport(report));
  }

  postAlerts(report: AlertReport): Promise<AlertReportAck> {
    return this.request((client) => client.postAlerts(report));
  }

  postHealth(upload: HealthUpload): Promise<void> {
    return this.request((client) => client.postHealth(upload));
  }

  postInventory(upload: InventoryUpload): Promise<void> {
    return this.request((client) => client.postInventory(upload));
  }

  /** The software inventory: over the gate like every request (a partitioned host's upload fails and is retried). */
  postSoftware(upload: SoftwareUpload): Promise<SoftwareUploadAck> {
    return this.request((client) => client.postSoftware(upload));
  }

  postActionUpdates(body: ActionUpdatesRequest): Promise<ActionUpdatesAck> {
    return this.request((client) => client.postActionUpdates(body));
  }

  getPackageUpload(actionId: string): Promise<PackageUploadStatus> {
    return this.request((client) => client.getPackageUpload(actionId));
  }

  putPackageChunk(...args: Parameters<EndpointClient['putPackageChunk']>): Promise<PackageUploadStatus> {
    return this.request((client) => client.putPackageChunk(...args));
  }

  /** Closes the connection when no request is in flight (the next request opens a new one, resuming the TLS session). */
  releaseIfIdle(): void {
    if (this.inFlight > 0 || !this.client) return;
    this.client.close();
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private async request<T>(call: (client: EndpointClient) => Promise<T>): Promise<T> {
    const reason = this.gate.blocked();
    if (reason) {
      if (this.gate.countErrors()) this.events.onRequestError('ENDPOINT_UNREACHABLE', reason);
      throw new AttacheError('ENDPOINT_UNREACHABLE', reason);
    }
    this.client ??= this.newClient();
    this.inFlight++;
    try {
      return await call(this.client);
    } catch (err) {
      const e = toAttacheError(err);
      if (this.gate.countErrors()) this.events.onRequestError(e.code, e.message);
      throw e;
    } finally {
      this.inFlight--;
    }
  }

  private newClient(): EndpointClient {
    const { identity, privateKey, now } = this.options;
    return new EndpointClient(
      {
        endpointUrl: identity.endpointUrl,
        alternateEndpointUrls: identity.alternateEndpointUrls ?? [],
        caCertificate: identity.caCertificate,
        credentials: { deviceId: identity.deviceId, privateKey },
      },
      { now },
    );
  }
}
