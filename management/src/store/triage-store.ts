// The storage boundary of alert triage (issue 17 §5): an admin's triage of a device's alert with its comments, and
// suppression rules for one device or the whole organization. Part of ManagementStore; migration 0016.
import type { AlertComment, AlertTriage, SuppressionRule } from '../../../policy-schemas/src/index.js';

/** Comments kept per alert (the newest ones; saveAlertTriage deletes older ones). */
export const COMMENTS_SHOWN = 200;

/** A cap on suppression rules in force per scope (a device's own, or the organization's), counted in the write. */
export interface SuppressionRuleLimit {
  readonly max: number;
  /** Normal-form ISO time: rules whose expiresAt is at or before it are not in force. */
  readonly now: string;
}

/** Alert triage and suppression rules. Errors as ManagementStore (NOT_FOUND, CONFLICT as AttacheError). */
export interface TriageStore {
  /** The triage of one alert, undefined when no admin touched it. */
  getAlertTriage(deviceId: string, alertId: string): Promise<AlertTriage | undefined>;
  /** Every triaged alert of the device, by alert id. */
  listAlertTriage(deviceId: string): Promise<Map<string, AlertTriage>>;
  /**
   * Atomic: upserts the triage and appends the comments (the admin's comment and the history lines of the change),
   * keeping the newest COMMENTS_SHOWN. NOT_FOUND (nothing stored) unless the device holds this alert.
   */
  saveAlertTriage(deviceId: string, alertId: string, triage: AlertTriage | null, comments: readonly AlertComment[]): Promise<void>;
  /** The alert's comments, oldest first (the newest `limit`). */
  listAlertComments(deviceId: string, alertId: string, limit: number): Promise<AlertComment[]>;

  /**
   * CONFLICT when the rule id exists, or (with `limit`) when the rule, in force, would pass the cap of its scope;
   * NOT_FOUND when a device rule names a device that does not exist.
   */
  createSuppressionRule(rule: SuppressionRule, limit?: SuppressionRuleLimit): Promise<void>;
  /** Every rule, expired ones too, newest first. */
  listSuppressionRules(): Promise<SuppressionRule[]>;
  getSuppressionRule(ruleId: string): Promise<SuppressionRule | undefined>;
  /**
   * Replaces the rule's comment and expiry; false when it does not exist. With `limit`: CONFLICT (nothing changed) when
   * an expired rule would come back into force past the cap of its scope.
   */
  updateSuppressionRule(rule: SuppressionRule, limit?: SuppressionRuleLimit): Promise<boolean>;
  /** The deleted rule, or undefined when it did not exist. */
  deleteSuppressionRule(ruleId: string): Promise<SuppressionRule | undefined>;
  /** The rules that can apply to the device: its own and the organization's (expired ones too). */
  suppressionRulesForDevice(deviceId: string): Promise<SuppressionRule[]>;
  /** suppressionRulesForDevice of many devices at once (the push fan-out): every id is a key. */
  suppressionRulesForDevices(deviceIds: readonly string[]): Promise<Map<string, SuppressionRule[]>>;
  /** Devices holding the alert (any status), in device-id order after `after`, at most `limit` (keyset pages). */
  deviceIdsWithAlert(alertId: string, after: string | null, limit: number): Promise<string[]>;
}
