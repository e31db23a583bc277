// HTTPS client of the admin API, pinned to the endpoint's own CA (system roots are not trusted). Every answer is
// validated against its schema; error envelopes become AttacheErrors with the server's code.
import type { IncomingMessage } from 'node:http';
import { type RequestOptions, request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { Static, TSchema } from '@sinclair/typebox';
import { AttacheError, isErrorCode } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  AccessDecision,
  AccessToken,
  AccessTokenCreated,
  AccessTokenCreateRequest,
  type ActionRequestBodies,
  type ActionType,
  AdminAccount,
  type AdminCreateRequest,
  AdminMe,
  AdminRoleInfo,
  type AdminUpdateRequest,
  type AlertTriagePatch,
  AlertTriageView,
  ApiToken,
  ApiTokenCreated,
  Assignment,
  type AssignmentMode,
  AuditPage,
  type AuditQuery,
  AuditVerification,
  ComplianceAssignment,
  ComplianceOverview,
  CompliancePolicy,
  CompliancePolicyDocument,
  type CreateSecurityTaskRequest,
  Dashboard,
  Device,
  DeviceAlerts,
  DeviceCompliance,
  DeviceEvents,
  DeviceHealthView,
  DeviceInventoryView,
  DeviceKeyRotationMark,
  DevicePage,
  DeviceStatus,
  DeviceTagsRequest,
  type DynamicGroupRule,
  ErrorResponse,
  Group,
  GroupCreateRequest,
  GroupDeleted,
  GroupRulePreview,
  GroupRuleRequest,
  MachineAction,
  MachineActionList,
  OnboardingCreateRequest,
  OnboardingPackage,
  OnboardingPackageInfo,
  OnboardingPackageList,
  type PolicyDocument,
  type PolicySource,
  PolicyStatusReport,
  PolicySummary,
  SecurityTask,
  SecurityTaskDetail,
  SecurityTaskList,
  SettingsCatalog,
  SignedSigningKeyAnnouncement,
  type SigningKeyRotateRequest,
  SigningKeyState,
  StoreProblem,
  SuppressionRule,
  type SuppressionRulePatch,
  type SuppressionRuleRequest,
  type UpdateSecurityTaskRequest,
  WhatIfRequest,
  WhatIfResponse,
} from '../../../policy-schemas/src/index.js';

/** Where the endpoint is and how to authenticate to it. */
export interface AdminConnection {
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
  /** The name the server certificate must cover when it differs from the URL's host (admin.json, own certificate). */
  readonly serverName?: string;
}

interface RawResponse {
  readonly status: number;
  readonly body: unknown;
}

const TLS_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

// A list answer `{ <key>: [item…] }`, each item validated against its schema.
function listOf<T extends TSchema>(key: string, item: T) {
  return (body: unknown): Static<T>[] => {
    const list = (body as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(list)) throw new AttacheError('ENDPOINT_ERROR', `answer has no "${key}" list`);
    return list.map((entry, i) => validate(item, entry, `${key}[${i}]`, 'ENDPOINT_ERROR'));
  };
}

/** A list answer's items and the stored rows the endpoint could not read (its `problems`, STORE_CORRUPT). */
export interface Listing<T> {
  readonly items: T[];
  readonly problems: StoreProblem[];
}

function listingOf<T extends TSchema>(key: string, item: T) {
  return (body: unknown): Listing<Static<T>> => {
    const problems = (body as Record<string, unknown> | null)?.problems ?? [];
    if (!Array.isArray(problems)) throw new AttacheError('ENDPOINT_ERROR', 'answer has a "problems" entry that is not a list');
    return { items: listOf(key, item)(body), problems: problems.map((p, i) => validate(StoreProblem, p, `problems[${i}]`, 'ENDPOINT_ERROR')) };
  };
}

/** Typed calls of the admin API. */
export class AdminClient {
  constructor(private readonly connection: AdminConnection) {}

  createOnboardingPackage(req: OnboardingCreateRequest): Promise<OnboardingPackage> {
    return this.call('POST', '/v1/admin/onboarding-packages', validate(OnboardingCreateRequest, req, 'onboarding request')).then((b) =>
      validate(OnboardingPackage, b, 'onboarding package', 'ENDPOINT_ERROR'),
    );
  }
  /** `source`: the Intune policy an import made the document from (kept on the policy, not signed). */
  createPolicy(doc: PolicyDocument, source?: PolicySource): Promise<PolicySummary> {
    return this.call('POST', '/v1/admin/policies', source ? { ...doc, source } : doc).then((b) => validate(PolicySummary, b, 'policy', 'ENDPOINT_ERROR'));
  }
  updatePolicy(policyId: string, doc: PolicyDocument, source?: PolicySource): Promise<PolicySummary> {
    return this.call('PUT', `/v1/admin/policies/${encodeURIComponent(policyId)}`, source ? { ...doc, source } : doc).then((b) =>
      validate(PolicySummary, b, 'policy', 'ENDPOINT_ERROR'),
    );
  }
  listPolicies(): Promise<Listing<PolicySummary>> {
    return this.call('GET', '/v1/admin/policies').then(listingOf('policies', PolicySummary));
  }
  getPolicy(policyId: string): Promise<PolicySummary> {
    return this.call('GET', `/v1/admin/policies/${encodeURIComponent(policyId)}`).then((b) => validate(PolicySummary, b, 'policy', 'ENDPOINT_ERROR'));
  }
  createGroup(name: string, rule?: DynamicGroupRule): Promise<Group> {
    const body = validate(GroupCreateRequest, { name, ...(rule ? { rule } : {}) }, 'group');
    return this.call('POST', '/v1/admin/groups', body).then((b) => validate(Group, b, 'group', 'ENDPOINT_ERROR'));
  }
  listGroups(): Promise<Listing<Group>> {
    return this.call('GET', '/v1/admin/groups').then(listingOf('groups', Group));
  }
  async addGroupMember(groupId: string, deviceId: string): Promise<void> {
    await this.call('POST', `/v1/admin/groups/${encodeURIComponent(groupId)}/members`, { deviceId });
  }
  createAssignment(policyId: string, groupId: string, mode: AssignmentMode = 'include'): Promise<Assignment> {
    return this.call('POST', '/v1/admin/assignments', { policyId, groupId, mode }).then((b) => validate(Assignment, b, 'assignment', 'ENDPOINT_ERROR'));
  }
  async removeAssignment(assignmentId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/assignments/${encodeURIComponent(assignmentId)}`);
  }
  async deletePolicy(policyId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/policies/${encodeURIComponent(policyId)}`);
  }
  getPolicyStatus(policyId: string): Promise<PolicyStatusReport> {
    return this.call('GET', `/v1/admin/policies/${encodeURIComponent(policyId)}/status`).then((b) =>
      validate(PolicyStatusReport, b, 'policy status', 'ENDPOINT_ERROR'),
    );
  }
  getDeviceEvents(deviceId: string): Promise<DeviceEvents> {
    return this.call('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/events`).then((b) =>
      validate(DeviceEvents, b, 'device events', 'ENDPOINT_ERROR'),
    );
  }
  changeDeviceTags(deviceId: string, request: DeviceTagsRequest): Promise<Device> {
    const body = validate(DeviceTagsRequest, request, 'device tags request');
    return this.call('POST', `/v1/admin/devices/${encodeURIComponent(deviceId)}/tags`, body).then((b) => validate(Device, b, 'device', 'ENDPOINT_ERROR'));
  }
  whatIf(request: WhatIfRequest): Promise<WhatIfResponse> {
    return this.call('POST', '/v1/admin/what-if', validate(WhatIfRequest, request, 'what-if request')).then((b) =>
      validate(WhatIfResponse, b, 'what-if response', 'ENDPOINT_ERROR'),
    );
  }
  listAssignments(): Promise<Assignment[]> {
    return this.call('GET', '/v1/admin/assignments').then(listOf('assignments', Assignment));
  }
  listDevices(): Promise<Listing<Device>> {
    return this.call('GET', '/v1/admin/devices').then(listingOf('devices', Device));
  }
  getDevice(deviceId: string): Promise<Device> {
    return this.call('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}`).then((b) => validate(Device, b, 'device', 'ENDPOINT_ERROR'));
  }
  getDeviceStatus(deviceId: string): Promise<DeviceStatus> {
    return this.call('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/status`).then((b) =>
      validate(DeviceStatus, b, 'device status', 'ENDPOINT_ERROR'),
    );
  }
  async syncDevice(deviceId: string): Promise<{ delivered: boolean }> {
    const body = (await this.call('POST', `/v1/admin/devices/${encodeURIComponent(deviceId)}/sync`)) as { delivered?: unknown } | null;
    return { delivered: body?.delivered === true };
  }
  async revokeDevice(deviceId: string): Promise<void> {
    await this.call('POST', `/v1/admin/devices/${encodeURIComponent(deviceId)}/revoke`);
  }

  /** Asks the device to rotate its key (it does at its next fetch; nudged when connected). */
  requestDeviceKeyRotation(deviceId: string): Promise<DeviceKeyRotationMark> {
    return this.typed('POST', `/v1/admin/devices/${encodeURIComponent(deviceId)}/rotate-key`, DeviceKeyRotationMark);
  }

  getSigningKey(): Promise<SigningKeyState> {
    return this.typed('GET', '/v1/admin/signing-key', SigningKeyState);
  }

  rotateSigningKey(request: SigningKeyRotateRequest): Promise<SignedSigningKeyAnnouncement> {
    return this.typed('POST', '/v1/admin/signing-key/rotate', SignedSigningKeyAnnouncement, request);
  }

  // Signals, compliance and access (issue 5).
  createCompliancePolicy(doc: CompliancePolicyDocument): Promise<CompliancePolicy> {
    return this.typed('POST', '/v1/admin/compliance-policies', CompliancePolicy, validate(CompliancePolicyDocument, doc, 'compliance policy'));
  }
  updateCompliancePolicy(id: string, doc: CompliancePolicyDocument): Promise<CompliancePolicy> {
    const body = validate(CompliancePolicyDocument, doc, 'compliance policy');
    return this.typed('PUT', `/v1/admin/compliance-policies/${encodeURIComponent(id)}`, CompliancePolicy, body);
  }
  listCompliancePolicies(): Promise<Listing<CompliancePolicy>> {
    return this.call('GET', '/v1/admin/compliance-policies').then(listingOf('compliancePolicies', CompliancePolicy));
  }
  getCompliancePolicy(id: string): Promise<CompliancePolicy> {
    return this.typed('GET', `/v1/admin/compliance-policies/${encodeURIComponent(id)}`, CompliancePolicy);
  }
  async deleteCompliancePolicy(id: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/compliance-policies/${encodeURIComponent(id)}`);
  }
  assignCompliancePolicy(id: string, groupId: string, mode: AssignmentMode = 'include'): Promise<ComplianceAssignment> {
    return this.typed('POST', `/v1/admin/compliance-policies/${encodeURIComponent(id)}/assignments`, ComplianceAssignment, { groupId, mode });
  }
  listComplianceAssignments(): Promise<ComplianceAssignment[]> {
    return this.call('GET', '/v1/admin/compliance-assignments').then(listOf('assignments', ComplianceAssignment));
  }
  async removeComplianceAssignment(assignmentId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/compliance-assignments/${encodeURIComponent(assignmentId)}`);
  }
  getComplianceOverview(): Promise<ComplianceOverview> {
    return this.typed('GET', '/v1/admin/compliance/devices', ComplianceOverview);
  }
  getDeviceAlerts(deviceId: string): Promise<DeviceAlerts> {
    return this.typed('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/alerts`, DeviceAlerts);
  }
  getAlertTriage(deviceId: string, alertId: string): Promise<AlertTriageView> {
    return this.typed('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/alerts/${encodeURIComponent(alertId)}`, AlertTriageView);
  }
  updateAlert(deviceId: string, alertId: string, patch: AlertTriagePatch): Promise<AlertTriageView> {
    return this.typed('PATCH', `/v1/admin/devices/${encodeURIComponent(deviceId)}/alerts/${encodeURIComponent(alertId)}`, AlertTriageView, patch);
  }
  commentOnAlert(deviceId: string, alertId: string, comment: string): Promise<AlertTriageView> {
    const path = `/v1/admin/devices/${encodeURIComponent(deviceId)}/alerts/${encodeURIComponent(alertId)}/comments`;
    return this.typed('POST', path, AlertTriageView, { comment });
  }
  createSuppressionRule(request: SuppressionRuleRequest): Promise<SuppressionRule> {
    return this.typed('POST', '/v1/admin/suppression-rules', SuppressionRule, request);
  }
  listSuppressionRules(): Promise<SuppressionRule[]> {
    return this.call('GET', '/v1/admin/suppression-rules').then(listOf('rules', SuppressionRule));
  }
  updateSuppressionRule(ruleId: string, patch: SuppressionRulePatch): Promise<SuppressionRule> {
    return this.typed('PATCH', `/v1/admin/suppression-rules/${encodeURIComponent(ruleId)}`, SuppressionRule, patch);
  }
  async deleteSuppressionRule(ruleId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/suppression-rules/${encodeURIComponent(ruleId)}`);
  }
  getDeviceHealth(deviceId: string): Promise<DeviceHealthView> {
    return this.typed('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/health`, DeviceHealthView);
  }
  getDeviceInventory(deviceId: string): Promise<DeviceInventoryView> {
    return this.typed('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/inventory`, DeviceInventoryView);
  }
  getDeviceCompliance(deviceId: string): Promise<DeviceCompliance> {
    return this.typed('GET', `/v1/admin/devices/${encodeURIComponent(deviceId)}/compliance`, DeviceCompliance);
  }
  /** The access decision API (the admin token is accepted there as well as access-service tokens). */
  getAccessDecision(deviceId: string): Promise<AccessDecision> {
    return this.typed('GET', `/v1/access/devices/${encodeURIComponent(deviceId)}`, AccessDecision);
  }
  createSecurityTask(request: CreateSecurityTaskRequest): Promise<SecurityTask> {
    return this.typed('POST', '/v1/admin/security-tasks', SecurityTask, request);
  }
  listSecurityTasks(query: Readonly<Record<string, string | number | undefined>>): Promise<SecurityTaskList> {
    return this.typed('GET', `/v1/admin/security-tasks${queryString(query)}`, SecurityTaskList);
  }
  getSecurityTask(taskId: string): Promise<SecurityTaskDetail> {
    return this.typed('GET', `/v1/admin/security-tasks/${encodeURIComponent(taskId)}`, SecurityTaskDetail);
  }
  changeSecurityTask(taskId: string, change: UpdateSecurityTaskRequest): Promise<SecurityTaskDetail> {
    return this.typed('POST', `/v1/admin/security-tasks/${encodeURIComponent(taskId)}/status`, SecurityTaskDetail, change);
  }
  createAccessToken(description?: string): Promise<AccessTokenCreated> {
    const body = validate(AccessTokenCreateRequest, description === undefined ? {} : { description }, 'access token request');
    return this.typed('POST', '/v1/admin/access-tokens', AccessTokenCreated, body);
  }
  listAccessTokens(): Promise<AccessToken[]> {
    return this.call('GET', '/v1/admin/access-tokens').then(listOf('accessTokens', AccessToken));
  }
  async revokeAccessToken(tokenId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/access-tokens/${encodeURIComponent(tokenId)}`);
  }

  // Admin identity (issue 15): the caller, admin accounts, roles, personal API tokens.
  whoami(): Promise<AdminMe> {
    return this.typed('GET', '/v1/admin/me', AdminMe);
  }
  listAdmins(): Promise<AdminAccount[]> {
    return this.call('GET', '/v1/admin/admins').then(listOf('admins', AdminAccount));
  }
  getAdmin(adminId: string): Promise<AdminAccount> {
    return this.typed('GET', `/v1/admin/admins/${encodeURIComponent(adminId)}`, AdminAccount);
  }
  createAdmin(request: AdminCreateRequest): Promise<AdminAccount> {
    return this.typed('POST', '/v1/admin/admins', AdminAccount, request);
  }
  updateAdmin(adminId: string, changes: AdminUpdateRequest): Promise<AdminAccount> {
    return this.typed('PATCH', `/v1/admin/admins/${encodeURIComponent(adminId)}`, AdminAccount, changes);
  }
  async deleteAdmin(adminId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/admins/${encodeURIComponent(adminId)}`);
  }
  async setAdminPassword(adminId: string, password: string, currentPassword?: string): Promise<void> {
    await this.call('PUT', `/v1/admin/admins/${encodeURIComponent(adminId)}/password`, {
      password,
      ...(currentPassword === undefined ? {} : { currentPassword }),
    });
  }
  listRoles(): Promise<AdminRoleInfo[]> {
    return this.call('GET', '/v1/admin/roles').then(listOf('roles', AdminRoleInfo));
  }
  listApiTokens(): Promise<ApiToken[]> {
    return this.call('GET', '/v1/admin/api-tokens').then(listOf('apiTokens', ApiToken));
  }
  createApiToken(name: string, expiresInDays?: number): Promise<ApiTokenCreated> {
    return this.typed('POST', '/v1/admin/api-tokens', ApiTokenCreated, { name, ...(expiresInDays === undefined ? {} : { expiresInDays }) });
  }
  async revokeApiToken(tokenId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/api-tokens/${encodeURIComponent(tokenId)}`);
  }
  /** GET /v1/admin/audit: one page of audit entries, newest first. */
  listAudit(query: AuditQuery): Promise<AuditPage> {
    return this.typed('GET', `/v1/admin/audit${queryString(query)}`, AuditPage);
  }
  /** GET /v1/admin/audit/export: the export's body as it streams in (the caller writes it out). */
  exportAudit(query: AuditQuery & { format: 'jsonl' | 'csv' }): Promise<IncomingMessage> {
    return this.openStream(`/v1/admin/audit/export${queryString(query)}`, 'application/json');
  }
  /** GET /v1/admin/audit/verify: the hash chain walked by the endpoint. */
  verifyAudit(): Promise<AuditVerification> {
    return this.typed('GET', '/v1/admin/audit/verify', AuditVerification);
  }
  // Removals and onboarding packages as objects (issue 15).
  listOnboardingPackages(): Promise<OnboardingPackageInfo[]> {
    return this.typed('GET', '/v1/admin/onboarding-packages', OnboardingPackageList).then((l) => l.onboardingPackages);
  }
  revokeOnboardingPackage(id: string): Promise<OnboardingPackageInfo> {
    return this.typed('POST', `/v1/admin/onboarding-packages/${encodeURIComponent(id)}/revoke`, OnboardingPackageInfo);
  }
  deleteGroup(groupId: string, force: boolean): Promise<GroupDeleted> {
    return this.typed('DELETE', `/v1/admin/groups/${encodeURIComponent(groupId)}${force ? '?force=true' : ''}`, GroupDeleted);
  }
  async removeGroupMember(groupId: string, deviceId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(deviceId)}`);
  }
  setGroupRule(groupId: string, rule: DynamicGroupRule): Promise<Group> {
    return this.typed('PUT', `/v1/admin/groups/${encodeURIComponent(groupId)}/rule`, Group, validate(GroupRuleRequest, { rule }, 'group rule'));
  }
  async deleteDevice(deviceId: string): Promise<void> {
    await this.call('DELETE', `/v1/admin/devices/${encodeURIComponent(deviceId)}`);
  }
  /** One page of the device list (GET /v1/admin/devices with a query; values as the query string carries them). */
  listDevicePage(query: Readonly<Record<string, string>>): Promise<DevicePage> {
    return this.typed('GET', `/v1/admin/devices?${new URLSearchParams(query as Record<string, string>).toString()}`, DevicePage);
  }
  /** One page of the devices a dynamic rule would match now (POST /v1/admin/groups/preview; `limit`, `cursor`). */
  previewGroupRule(rule: DynamicGroupRule, query: Readonly<Record<string, string>>): Promise<GroupRulePreview> {
    const path = `/v1/admin/groups/preview?${new URLSearchParams(query as Record<string, string>).toString()}`;
    return this.typed('POST', path, GroupRulePreview, validate(GroupRuleRequest, { rule }, 'group rule'));
  }
  getDashboard(): Promise<Dashboard> {
    return this.typed('GET', '/v1/admin/dashboard', Dashboard);
  }
  getSettingsCatalog(): Promise<SettingsCatalog> {
    return this.typed('GET', '/v1/admin/catalog', SettingsCatalog);
  }

  // Response actions (issue 17): POST /v1/admin/devices/:id/<type>, the action center, cancel, the package.
  createAction<T extends ActionType>(deviceId: string, type: T, body: Static<(typeof ActionRequestBodies)[T]>): Promise<MachineAction> {
    return this.typed('POST', `/v1/admin/devices/${encodeURIComponent(deviceId)}/${type}`, MachineAction, body);
  }
  listActions(query: Readonly<Record<string, string | number | undefined>>): Promise<MachineActionList> {
    return this.typed('GET', `/v1/admin/actions${queryString(query)}`, MachineActionList);
  }
  getAction(actionId: string): Promise<MachineAction> {
    return this.typed('GET', `/v1/admin/actions/${encodeURIComponent(actionId)}`, MachineAction);
  }
  cancelAction(actionId: string, comment: string): Promise<MachineAction> {
    return this.typed('POST', `/v1/admin/actions/${encodeURIComponent(actionId)}/cancel`, MachineAction, { comment });
  }
  /** GET /v1/admin/actions/:id/package: the gzip body as it streams in, with its `x-attache-package-sha256` header. */
  downloadActionPackage(actionId: string): Promise<IncomingMessage> {
    return this.openStream(`/v1/admin/actions/${encodeURIComponent(actionId)}/package`, 'application/gzip');
  }

  /**
   * One request answered by `schema`, for command files that keep their routes beside them (vulnerability-client.ts):
   * `raw` sends bytes as they are (a file upload), `timeoutMs` replaces the 30 s answer timeout.
   */
  request<T extends TSchema>(
    method: string,
    path: string,
    schema: T,
    options: { readonly query?: Readonly<Record<string, string | number | undefined>>; readonly raw?: RawBody; readonly timeoutMs?: number } = {},
  ): Promise<Static<T>> {
    return this.send(method, `${path}${queryString(options.query ?? {})}`, undefined, options).then((res) => {
      if (res.status < 200 || res.status >= 300) throw errorFromResponse(res);
      return validate(schema, res.body, schema.title ?? 'answer', 'ENDPOINT_ERROR');
    });
  }

  /** A GET whose 200 body the caller reads as a stream; another status throws the server's error. */
  private async openStream(path: string, accept: string): Promise<IncomingMessage> {
    const url = new URL(path, this.connection.url);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, this.requestOptions('GET', { accept }), resolve);
      req.on('timeout', () => req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `no answer from ${url.origin} within 30 s`)));
      req.on('error', (err) => reject(transportError(err, url.origin)));
      req.end();
    });
    if (res.statusCode === 200) return res;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {}
    throw errorFromResponse({ status: res.statusCode ?? 0, body });
  }

  /** One request whose answer is validated against `schema`. */
  private async typed<T extends TSchema>(method: string, path: string, schema: T, body?: unknown): Promise<Static<T>> {
    return validate(schema, await this.call(method, path, body), schema.title ?? 'answer', 'ENDPOINT_ERROR');
  }

  /** One request; 2xx answers return the parsed body (null when empty), others throw the server's error. */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.send(method, path, body);
    if (res.status >= 200 && res.status < 300) return res.body;
    throw errorFromResponse(res);
  }

  /** The pinned CA, the server name, the timeout and the admin token of every request. */
  private requestOptions(method: string, headers: Record<string, string> = {}, timeoutMs = 30_000): RequestOptions {
    return {
      method,
      ca: this.connection.caPem,
      ...(this.connection.serverName === undefined ? {} : { checkServerIdentity: serverIdentityCheck(this.connection.serverName) }),
      timeout: timeoutMs,
      headers: { authorization: `Bearer ${this.connection.token}`, accept: 'application/json', ...headers },
    };
  }

  private send(method: string, path: string, body?: unknown, options: { readonly raw?: RawBody; readonly timeoutMs?: number } = {}): Promise<RawResponse> {
    const payload = options.raw?.bytes ?? (body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8'));
    const contentType = options.raw?.contentType ?? 'application/json';
    const url = new URL(path, this.connection.url);
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        this.requestOptions(method, payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}, timeoutMs),
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text.length === 0 ? null : JSON.parse(text) });
            } catch (err) {
              reject(new AttacheError('ENDPOINT_ERROR', `endpoint answered ${res.statusCode} with a body that is not JSON`, { cause: err }));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `no answer from ${url.origin} within ${timeoutMs / 1000} s`)));
      req.on('error', (err) => reject(transportError(err, url.origin)));
      req.end(payload);
    });
  }
}

/** A request body sent as it is, with its media type. */
export interface RawBody {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** `?a=1&b=2` of the defined values of `query` (empty when none). */
function queryString(query: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Checks the certificate against `name` instead of the URL's host (the local listener an own certificate need not cover). */
function serverIdentityCheck(name: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => checkServerIdentity(name, cert);
}

function errorFromResponse(res: RawResponse): AttacheError {
  try {
    const envelope = validate(ErrorResponse, res.body, 'error response', 'ENDPOINT_ERROR');
    const code = isErrorCode(envelope.error.code) ? envelope.error.code : 'ENDPOINT_ERROR';
    return new AttacheError(code, envelope.error.message, { details: envelope.error.details ?? [] });
  } catch {
    return new AttacheError('ENDPOINT_ERROR', `endpoint answered HTTP ${res.status} without an error envelope`);
  }
}

function transportError(err: Error, origin: string): AttacheError {
  if (err instanceof AttacheError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_ERRORS.has(code)) return new AttacheError('TLS_PIN_MISMATCH', `${origin} does not present a certificate of the pinned CA (${code})`, { cause: err });
  return new AttacheError('ENDPOINT_UNREACHABLE', `cannot reach ${origin}: ${err.message}`, { cause: err });
}
