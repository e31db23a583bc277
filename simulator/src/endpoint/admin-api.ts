// The simulator's admin: a small client of the admin API (docs/protocol.md "Admin API"), pinned to the endpoint's CA,
// with one keep-alive connection pool. Non-2xx answers throw an AttacheError carrying the endpoint's code.
import { Agent, request } from 'node:https';
import { AttacheError, isErrorCode } from '../../../common/errors.js';
import type {
  ActionStatus,
  ActionType,
  AdvisoryImportResult,
  Assignment,
  ComplianceOverview,
  CompliancePolicy,
  CompliancePolicyDocument,
  Device,
  DeviceExposure,
  DeviceExposureList,
  DynamicGroupRule,
  Group,
  MachineAction,
  MachineActionList,
  OnboardingPackage,
  PolicyDocument,
  PolicyStatusReport,
  PolicySummary,
  RecommendationList,
  SecurityTask,
  SecurityTaskDetail,
  UpdateSecurityTaskRequest,
} from '../../../policy-schemas/src/index.js';

/** A request body sent as these bytes (an advisory file), not as JSON. */
export interface RawBody {
  readonly data: Uint8Array;
  readonly type: string;
}

/** Where the endpoint is and the admin's credentials. */
export interface AdminConnection {
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
}

/** Filters of GET /v1/admin/actions. */
export interface ActionQuery {
  readonly deviceId?: string;
  readonly type?: ActionType;
  readonly status?: ActionStatus;
  readonly requestor?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export class AdminApi {
  private readonly agent: Agent;

  constructor(private readonly connection: AdminConnection) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 8, ca: [connection.caPem] });
  }

  get url(): string {
    return this.connection.url;
  }

  createOnboarding(body: { maxUses: number; tags?: string[]; description?: string; expiresInMinutes?: number }): Promise<OnboardingPackage> {
    return this.call('POST', '/v1/admin/onboarding-packages', body) as Promise<OnboardingPackage>;
  }

  createGroup(name: string, rule: DynamicGroupRule): Promise<Group> {
    return this.call('POST', '/v1/admin/groups', { name, rule }) as Promise<Group>;
  }

  async groups(): Promise<Group[]> {
    return ((await this.call('GET', '/v1/admin/groups')) as { groups: Group[] }).groups;
  }

  createPolicy(document: PolicyDocument): Promise<PolicySummary> {
    return this.call('POST', '/v1/admin/policies', document) as Promise<PolicySummary>;
  }

  updatePolicy(policyId: string, document: PolicyDocument): Promise<PolicySummary> {
    return this.call('PUT', `/v1/admin/policies/${policyId}`, document) as Promise<PolicySummary>;
  }

  async deletePolicy(policyId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/policies/${policyId}`);
  }

  policyStatus(policyId: string): Promise<PolicyStatusReport> {
    return this.call('GET', `/v1/admin/policies/${policyId}/status`) as Promise<PolicyStatusReport>;
  }

  assign(policyId: string, groupId: string, mode: 'include' | 'exclude' = 'include'): Promise<Assignment> {
    return this.call('POST', '/v1/admin/assignments', { policyId, groupId, mode }) as Promise<Assignment>;
  }

  async assignments(): Promise<Assignment[]> {
    return ((await this.call('GET', '/v1/admin/assignments')) as { assignments: Assignment[] }).assignments;
  }

  async unassign(assignmentId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/assignments/${assignmentId}`);
  }

  async devices(): Promise<Device[]> {
    return ((await this.call('GET', '/v1/admin/devices')) as { devices: Device[] }).devices;
  }

  syncDevice(deviceId: string): Promise<{ delivered: boolean }> {
    return this.call('POST', `/v1/admin/devices/${deviceId}/sync`) as Promise<{ delivered: boolean }>;
  }

  createCompliancePolicy(document: CompliancePolicyDocument): Promise<CompliancePolicy> {
    return this.call('POST', '/v1/admin/compliance-policies', document) as Promise<CompliancePolicy>;
  }

  async assignCompliancePolicy(compliancePolicyId: string, groupId: string): Promise<void> {
    await this.call('POST', `/v1/admin/compliance-policies/${compliancePolicyId}/assignments`, { groupId });
  }

  async deleteCompliancePolicy(compliancePolicyId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/compliance-policies/${compliancePolicyId}`);
  }

  /** POST /v1/admin/devices/:id/<type>: creates a response action (body: comment and the type's fields). */
  createAction(deviceId: string, type: ActionType, body: { readonly comment: string } & Readonly<Record<string, unknown>>): Promise<MachineAction> {
    return this.call('POST', `/v1/admin/devices/${encodeURIComponent(deviceId)}/${type}`, body) as Promise<MachineAction>;
  }

  /** GET /v1/admin/actions: one page, newest first. */
  actions(query: ActionQuery = {}): Promise<MachineActionList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const q = params.toString();
    return this.call('GET', `/v1/admin/actions${q ? `?${q}` : ''}`) as Promise<MachineActionList>;
  }

  /** Every page of GET /v1/admin/actions for `query`. */
  async allActions(query: Omit<ActionQuery, 'cursor'> = {}): Promise<MachineAction[]> {
    const out: MachineAction[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.actions({ ...query, ...(cursor ? { cursor } : {}) });
      out.push(...page.actions);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** GET /v1/admin/actions/:id. */
  action(actionId: string): Promise<MachineAction> {
    return this.call('GET', `/v1/admin/actions/${encodeURIComponent(actionId)}`) as Promise<MachineAction>;
  }

  /** POST /v1/admin/actions/:id/cancel. */
  cancelAction(actionId: string, comment: string): Promise<MachineAction> {
    return this.call('POST', `/v1/admin/actions/${encodeURIComponent(actionId)}/cancel`, { comment }) as Promise<MachineAction>;
  }

  complianceOverview(): Promise<ComplianceOverview> {
    return this.call('GET', '/v1/admin/compliance/devices') as Promise<ComplianceOverview>;
  }

  /** POST /v1/admin/vulnerabilities/advisories?name=: the file's bytes as they are (JSON or zip). */
  importAdvisories(name: string, bytes: Uint8Array): Promise<AdvisoryImportResult> {
    const path = `/v1/admin/vulnerabilities/advisories?${new URLSearchParams({ name }).toString()}`;
    return this.call('POST', path, {
      data: bytes,
      type: name.toLowerCase().endsWith('.zip') ? 'application/zip' : 'application/json',
    }) as Promise<AdvisoryImportResult>;
  }

  /** GET /v1/admin/vulnerabilities/recommendations?search=: one page of the recommendations matching `search`. */
  recommendations(search: string): Promise<RecommendationList> {
    const query = new URLSearchParams({ search, limit: '100' });
    return this.call('GET', `/v1/admin/vulnerabilities/recommendations?${query.toString()}`) as Promise<RecommendationList>;
  }

  /** POST /v1/admin/security-tasks: a task from a recommendation, for its exposed devices now. */
  createSecurityTask(body: { recommendationId: string; priority?: 'none' | 'high' | 'low'; creatorNotes?: string }): Promise<SecurityTask> {
    return this.call('POST', '/v1/admin/security-tasks', body) as Promise<SecurityTask>;
  }

  /** POST /v1/admin/security-tasks/:id/status (accept with remediate: updateSoftware on every unfixed device). */
  setSecurityTaskStatus(taskId: string, body: UpdateSecurityTaskRequest): Promise<SecurityTaskDetail> {
    return this.call('POST', `/v1/admin/security-tasks/${encodeURIComponent(taskId)}/status`, body) as Promise<SecurityTaskDetail>;
  }

  /** GET /v1/admin/security-tasks/:id: the task and each targeted device's progress. */
  securityTask(taskId: string): Promise<SecurityTaskDetail> {
    return this.call('GET', `/v1/admin/security-tasks/${encodeURIComponent(taskId)}`) as Promise<SecurityTaskDetail>;
  }

  /** Every device's exposure (GET /v1/admin/vulnerabilities/devices, all pages). */
  async exposures(): Promise<DeviceExposure[]> {
    const all: DeviceExposure[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
      const page = (await this.call('GET', `/v1/admin/vulnerabilities/devices?${query.toString()}`)) as DeviceExposureList;
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  close(): void {
    this.agent.destroy();
  }

  /** Any admin call; resolves with the parsed body (undefined when empty). */
  call(method: string, path: string, body?: unknown | RawBody): Promise<unknown> {
    const raw = body instanceof Object && 'data' in body && (body as RawBody).data instanceof Uint8Array ? (body as RawBody) : undefined;
    const payload = raw ? raw.data : body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.connection.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = raw ? raw.type : 'application/json';
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.connection.url), { method, headers, agent: this.agent, timeout: 120_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            return reject(new AttacheError('ENDPOINT_ERROR', `${method} ${path}: answer is not JSON (${res.statusCode})`));
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(json);
          const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
          const code = error?.code && isErrorCode(error.code) ? error.code : 'ENDPOINT_ERROR';
          reject(new AttacheError(code, `${method} ${path}: ${status} ${error?.message ?? text.slice(0, 200)}`));
        });
      });
      req.on('timeout', () => req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `${method} ${path}: no answer`)));
      req.on('error', (err) => reject(err instanceof AttacheError ? err : new AttacheError('ENDPOINT_UNREACHABLE', `${method} ${path}: ${err.message}`)));
      req.end(payload);
    });
  }
}
