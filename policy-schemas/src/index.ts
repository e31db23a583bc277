// policy-schemas: the single source of truth for every file format and wire message, and the settings catalog.
// Types are derived from these schemas (Static<>); policy-schemas/json/ holds the emitted JSON Schema 2020-12 files.
import type { TSchema } from '@sinclair/typebox';
import * as actionLedger from './action-ledger.js';
import * as actions from './actions.js';
import * as admin from './admin-api.js';
import * as agentFiles from './agent-config.js';
import * as agentSoftware from './agent-software-state.js';
import * as triage from './alert-triage.js';
import * as answers from './api-answers.js';
import * as audit from './audit-api.js';
import { SettingDefinition } from './catalog/setting-definition.js';
import * as compliance from './compliance-api.js';
import * as consoleApi from './console-api.js';
import * as control from './control.js';
import * as device from './device-api.js';
import { EndpointConfig } from './endpoint-config.js';
import * as identity from './identity-api.js';
import * as isolation from './isolation.js';
import * as keyRotation from './key-rotation.js';
import * as onboarding from './onboarding.js';
import * as onboardingAdmin from './onboarding-admin-api.js';
import * as policy from './policy.js';
import { ErrorResponse } from './primitives.js';
import * as signals from './signals.js';
import { SimulatorScenario } from './simulator-scenario.js';
import * as software from './software.js';
import * as vulnerabilities from './vulnerabilities.js';

export * from './action-ledger.js';
export * from './actions.js';
export * from './admin-api.js';
export * from './agent-config.js';
export * from './agent-software-state.js';
export * from './alert-triage.js';
export * from './api-answers.js';
export * from './audit-api.js';
export * from './catalog/index.js';
export * from './compliance-api.js';
export * from './console-api.js';
export * from './control.js';
export * from './device-api.js';
export * from './endpoint-config.js';
export * from './identity-api.js';
export * from './intune-codes.js';
export * from './isolation.js';
export * from './key-rotation.js';
export * from './onboarding.js';
export * from './onboarding-admin-api.js';
export * from './policy.js';
export * from './primitives.js';
export * from './setting-evidence.js';
export * from './signals.js';
export * from './simulator-scenario.js';
export * from './software.js';
export * from './vulnerabilities.js';

/** Every top-level schema, each with a `$id`; the validator registers them all and json/ has one file per entry. */
export const ALL_SCHEMAS: readonly (TSchema | Record<string, unknown>)[] = [
  ErrorResponse,
  SettingDefinition,
  policy.PolicyDocument,
  ...policy.PolicySettingsSchemas,
  policy.PolicyPayload,
  policy.SignedPolicy,
  policy.SignedPolicySetManifest,
  // Before the schemas that embed it (policies response, signing key state): ajv registers an $id once.
  keyRotation.SignedSigningKeyAnnouncement,
  triage.SignedSuppressionList,
  actions.SignedAction,
  onboarding.OnboardingPackage,
  agentFiles.AgentConfig,
  EndpointConfig,
  agentFiles.AgentIdentity,
  agentFiles.SyncOutcome,
  agentFiles.AgentPolicyCache,
  agentFiles.AgentBaseline,
  agentFiles.AgentAppliedVersions,
  agentFiles.AgentPolicySetFloor,
  agentFiles.SimulatedHostState,
  agentFiles.AgentSignalsState,
  isolation.AgentIsolationState,
  agentSoftware.AgentSoftwareState,
  actionLedger.AgentActionLedger,
  device.EnrollRequest,
  device.EnrollResponse,
  device.PoliciesResponse,
  device.StatusReport,
  device.ReportAck,
  device.ServerPushMessage,
  device.AgentPushMessage,
  actions.ActionUpdate,
  actions.ActionUpdatesRequest,
  actions.ActionUpdatesAck,
  ...Object.values(actions.ActionRequestBodies),
  actions.CancelActionRequest,
  actions.MachineAction,
  actions.MachineActionList,
  actions.PackageUploadStatus,
  keyRotation.DeviceKeyRotationRequest,
  keyRotation.DeviceKeyRotationResponse,
  keyRotation.AgentSigningKeys,
  keyRotation.SigningKeyRotateRequest,
  keyRotation.SigningKeyState,
  keyRotation.DeviceKeyRotationMark,
  signals.AlertReport,
  signals.AlertReportAck,
  signals.DeviceHealth,
  signals.DeviceInventory,
  signals.InventoryUpload,
  software.SoftwareInventory,
  vulnerabilities.SoftwareUpload,
  vulnerabilities.SoftwareUploadAck,
  vulnerabilities.DeviceExposure,
  vulnerabilities.DeviceVulnerabilities,
  vulnerabilities.DeviceSoftware,
  vulnerabilities.Recommendation,
  vulnerabilities.RecommendationList,
  vulnerabilities.RecommendationDetail,
  vulnerabilities.DeviceExposureList,
  vulnerabilities.AdvisoryDetail,
  vulnerabilities.SecurityTaskList,
  vulnerabilities.VulnerabilityDashboard,
  vulnerabilities.AdvisoryImportResult,
  vulnerabilities.VulnerabilityRecomputeResult,
  vulnerabilities.SecurityTask,
  vulnerabilities.SecurityTaskDetail,
  vulnerabilities.CreateSecurityTaskRequest,
  vulnerabilities.UpdateSecurityTaskRequest,
  signals.HealthUpload,
  signals.AccessDecision,
  control.ControlRequest,
  control.ControlResponse,
  SimulatorScenario,
  admin.DynamicGroupRule,
  admin.OnboardingCreateRequest,
  admin.GroupCreateRequest,
  admin.GroupMemberRequest,
  admin.AssignmentCreateRequest,
  admin.Group,
  admin.Assignment,
  admin.PolicySource,
  admin.PolicyRequest,
  admin.PolicySummary,
  admin.StoreProblem,
  admin.PolicyList,
  admin.GroupList,
  admin.Device,
  admin.DeviceStatus,
  admin.DeviceTagsRequest,
  admin.GroupRuleRequest,
  admin.PolicyStatusReport,
  admin.DeviceEvents,
  admin.WhatIfRequest,
  admin.WhatIfResponse,
  consoleApi.DeviceListQuery,
  consoleApi.PolicySettingQuery,
  consoleApi.DevicePage,
  consoleApi.Dashboard,
  consoleApi.SettingsCatalog,
  consoleApi.PolicySettingDevices,
  consoleApi.GroupPreviewQuery,
  consoleApi.GroupRulePreview,
  compliance.CompliancePolicyDocument,
  compliance.CompliancePolicy,
  compliance.ComplianceAssignmentRequest,
  compliance.ComplianceAssignment,
  compliance.DeviceCompliance,
  compliance.DeviceAlerts,
  triage.AlertTriagePatch,
  triage.AlertCommentRequest,
  triage.AlertTriageView,
  triage.SuppressionRuleRequest,
  triage.SuppressionRule,
  triage.SuppressionRulePatch,
  triage.SuppressionRuleList,
  compliance.DeviceHealthView,
  compliance.DeviceInventoryView,
  compliance.AccessTokenCreateRequest,
  compliance.AccessToken,
  compliance.AccessTokenCreated,
  compliance.ComplianceOverview,
  answers.DeviceList,
  answers.AssignmentList,
  answers.CompliancePolicyList,
  answers.ComplianceAssignmentList,
  answers.AccessTokenList,
  answers.SyncRequested,
  answers.HealthzAnswer,
  answers.ReadyzAnswer,
  identity.LoginRequest,
  identity.SessionInfo,
  identity.AdminAccount,
  identity.AdminMe,
  identity.AdminCreateRequest,
  identity.AdminUpdateRequest,
  identity.PasswordSetRequest,
  identity.AdminRoleInfo,
  identity.ApiTokenCreateRequest,
  identity.ApiToken,
  identity.ApiTokenCreated,
  identity.AdminList,
  identity.AdminRoleList,
  identity.ApiTokenList,
  audit.AuditEntry,
  audit.AuditPage,
  audit.AuditVerification,
  audit.AuditQuery,
  onboardingAdmin.OnboardingPackageInfo,
  onboardingAdmin.OnboardingPackageList,
  onboardingAdmin.GroupDeleted,
];
export { tagsOf } from './tagged-union.js';
