// What every endpoint operation works with: the store, the push hub, the endpoint identity, the clock, the logger,
// the compliance service and the access tokens.

import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../logging.js';
import type { EndpointIdentity } from '../pki/endpoint-identity.js';
import type { PolicySigningKeyRing } from '../pki/signing-key-ring.js';
import type { PushHub } from '../push/push-hub.js';
import type { ManagementStore } from '../store/store.js';
import type { ActionSettings } from './actions/action-envelope.js';
import type { AuditLog } from './audit/audit-log.js';
import type { AccessTokenRegistry } from './compliance/access-tokens.js';
import type { ComplianceService } from './compliance/compliance-service.js';
import type { DeviceSetViews } from './device-sets.js';
import type { PushPresence } from './presence.js';
import type { SecurityTaskService } from './tasks/security-tasks.js';
import type { VulnerabilityService } from './vulnerabilities/contracts.js';

/** Dependencies of the endpoint's operations, built once at start-up and passed to routes. */
export interface ServiceContext {
  readonly store: ManagementStore;
  readonly hub: PushHub;
  readonly identity: EndpointIdentity;
  /** The policy-signing keys: which one signs now, the announcement chain, rotation. */
  readonly signingKeys: PolicySigningKeyRing;
  /** The https URL devices use to reach this endpoint; goes into onboarding packages. */
  readonly publicUrl: string;
  /** Other https URLs of the same deployment (`serve --alternate-url`); listed after publicUrl in onboarding packages. */
  readonly alternateUrls?: readonly string[];
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** Device compliance and the precomputed access decisions. */
  readonly compliance: ComplianceService;
  /** Each device's signed policy set, computed once per change. */
  readonly sets: DeviceSetViews;
  /** Tokens accepted by the access decision API (access-service tokens and the admin token). */
  readonly accessTokens: AccessTokenRegistry;
  /** Replicas: which devices are connected to any replica (absent: this process's hub is the whole truth). */
  readonly presence?: PushPresence;
  /** The admin audit log: every admin write is recorded through it (service/audit/). */
  readonly audit: AuditLog;
  /** Response actions' settings (endpoint config `actions`); absent: the defaults of service/actions/action-envelope.ts. */
  readonly actionSettings?: ActionSettings;
  /** Security tasks (issue 18): from recommendations, completed by recompute listeners and the leader's sweep. */
  readonly securityTasks: SecurityTaskService;
  /** Software inventory, advisories, findings, exposure and recommendations (service/vulnerabilities/). */
  readonly vulnerabilities: VulnerabilityService;
}
