// Typed calls of the admin API, one method per route, on the pinned HTTPS transport of admin-transport.ts. Every
// answer is validated against its schema; error envelopes become AttacheErrors with the server's code.
import type { IncomingMessage } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import { AttacheError } from '../../../common/errors.js';
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
import { AdminTransport, queryString } from './admin-transport.js';

export type { AdminConnection } from './admin-transport.js';

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
export class AdminClient extends AdminTransport {
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
}
