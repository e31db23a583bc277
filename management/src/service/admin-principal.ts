// Who is making an admin request: the account, its role and its scope, as the HTTP layer authenticated it.
// Every admin operation that decides what an admin may see or do, and every audit entry, reads this.

/** Built-in roles, modelled on Intune's (docs/admin.md lists what each may do). */
export const ADMIN_ROLES = ['administrator', 'endpointSecurityManager', 'helpDeskOperator', 'readOnlyOperator'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** How the request proved who it is. */
export type AdminAuthMethod = 'apiToken' | 'session';

/** The authenticated admin of one request. */
export interface AdminPrincipal {
  readonly adminId: string;
  readonly username: string;
  readonly role: AdminRole;
  /** Device groups this admin is scoped to; null = every device (no scope tags). */
  readonly scopeGroupIds: readonly string[] | null;
  readonly authMethod: AdminAuthMethod;
  /** The personal API token used (its id, never the secret); absent for a console session. */
  readonly tokenId?: string;
  /** The client's address as the endpoint saw it. */
  readonly sourceAddress: string;
}
