// What a custom indicator's action means on the device, as Defender for Endpoint defines it: which items are in force
// (expired ones are not), which action wins when several items match the same executable or remote address, and
// whether a match alerts, blocks or also remediates. Pure.
//
// Conflicts (per subject: one executable, or one remote address):
// - files, certificates, process paths/names (indicator-file.md, "Policy conflict handling for Cert and File IoC"):
//   a block or warn indicator wins over an allow indicator; an allow indicator wins over the rest (audit). Among
//   hash indicators with the same action the more secure hash applies: SHA-256 over SHA-1 over MD5.
// - IP addresses, networks, domains (indicator-ip-domain.md): Allow > Warn > Block.
// Warn is Defender's "show a prompt the user may bypass"; the agent shows no prompt on any OS, so warn acts as audit.
import type { Platform, SettingStatus } from '../../../policy-schemas/src/index.js';
import type { IndicatorAction, IndicatorMatch, IndicatorType, RiskIndicator } from './indicator-match.js';
import { isProcessIndicator } from './indicator-match.js';

/** What a matched item makes the agent do. */
export type Enforcement = 'allow' | 'audit' | 'block' | 'blockAndRemediate';

/** The enforcement of an action; `alert` is the deprecated name of audit, warn has no prompt here so it audits. */
export function enforcementOf(action: IndicatorAction): Enforcement {
  switch (action) {
    case 'allowed':
      return 'allow';
    case 'audit':
    case 'alert':
    case 'warn':
      return 'audit';
    case 'block':
      return 'block';
    case 'blockAndRemediate':
      return 'blockAndRemediate';
  }
}

/** Whether a match of the item raises an alert: never for an allow, else `generateAlert` (default true). */
export function raisesAlert(indicator: RiskIndicator): boolean {
  return enforcementOf(indicator.action) !== 'allow' && indicator.generateAlert !== false;
}

const UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil; the core has no Date). */
function daysFromCivil(y: number, m: number, d: number): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** The expiry as epoch ms; undefined when the item never expires or the text is not the catalog's UTC time. */
export function expiresAtMs(indicator: RiskIndicator): number | undefined {
  const m = indicator.expirationTime === undefined ? null : UTC.exec(indicator.expirationTime);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms;
}

/** Items in force at `nowMs`, and the expired ones (not enforced, reported). */
export function inForce(indicators: readonly RiskIndicator[], nowMs: number): { active: RiskIndicator[]; expired: RiskIndicator[] } {
  const active: RiskIndicator[] = [];
  const expired: RiskIndicator[] = [];
  for (const i of indicators) {
    const at = expiresAtMs(i);
    (at !== undefined && at <= nowMs ? expired : active).push(i);
  }
  return { active, expired };
}

const HASH_RANK: Readonly<Record<string, number>> = { fileSha256: 3, fileSha1: 2, fileMd5: 1 };

/** File-class precedence: the winning enforcement group for a subject. */
function fileWinners(matches: readonly IndicatorMatch[]): IndicatorMatch[] {
  const strict = matches.filter((m) => m.indicator.action === 'warn' || ['block', 'blockAndRemediate'].includes(enforcementOf(m.indicator.action)));
  const allows = matches.filter((m) => enforcementOf(m.indicator.action) === 'allow');
  const kept = strict.length > 0 ? matches.filter((m) => enforcementOf(m.indicator.action) !== 'allow') : allows.length > 0 ? allows : [...matches];
  // Same action, several hashes of the same file: only the most secure one applies.
  return kept.filter((m) => {
    const rank = HASH_RANK[m.indicator.type];
    if (rank === undefined) return true;
    return !kept.some((o) => o !== m && enforcementOf(o.indicator.action) === enforcementOf(m.indicator.action) && (HASH_RANK[o.indicator.type] ?? 0) > rank);
  });
}

/** Network-class precedence: Allow > Warn > Block (audit items stay beside a block). */
function networkWinners(matches: readonly IndicatorMatch[]): IndicatorMatch[] {
  const allows = matches.filter((m) => m.indicator.action === 'allowed');
  if (allows.length > 0) return allows;
  if (matches.some((m) => m.indicator.action === 'warn')) return matches.filter((m) => m.indicator.action !== 'block');
  return [...matches];
}

/**
 * The matches that apply after conflict resolution, per subject. An allow that wins stays in the result (it raises
 * nothing) so callers can tell "allowed" from "no match".
 */
export function resolveConflicts(matches: readonly IndicatorMatch[]): IndicatorMatch[] {
  const bySubject = new Map<string, { readonly files: boolean; readonly items: IndicatorMatch[] }>();
  for (const m of matches) {
    const files = isProcessIndicator(m.indicator);
    const key = `${files ? 'p' : 'c'}\u0000${m.subject}`;
    const group = bySubject.get(key) ?? { files, items: [] };
    group.items.push(m);
    bySubject.set(key, group);
  }
  return [...bySubject.values()].flatMap((g) => (g.files ? fileWinners(g.items) : networkWinners(g.items)));
}

/**
 * Indicator types an OS cannot match, with the reason (reported per item in the setting's status message). Signer
 * thumbprints are read on Windows only (actions/processes/signer-reader.ts); domains need DNS visibility the agent has nowhere.
 */
export function notApplicableReason(type: IndicatorType, platform: Platform): string | undefined {
  if (type === 'domain') return 'the agent does not see DNS lookups, so domains are never matched';
  if (type !== 'certificateThumbprint') return undefined;
  return SIGNER_NOT_APPLICABLE[platform];
}

/** Why an OS reads no executable signer (undefined: it does). */
export const SIGNER_NOT_APPLICABLE: Readonly<Record<Platform, string | undefined>> = {
  windows: undefined,
  linux: 'Linux executables carry no code signature the agent can read',
  macos: 'the agent does not read macOS code signatures (codesign) yet',
};

const EXAMPLES = 5;

function listed(items: readonly RiskIndicator[], detail: (i: RiskIndicator) => string): string {
  const shown = items.slice(0, EXAMPLES).map((i) => `${i.type} ${i.value}${detail(i)}`);
  return `${shown.join(', ')}${items.length > EXAMPLES ? `, and ${items.length - EXAMPLES} more` : ''}`;
}

/**
 * The status message of a delivered indicator list: which items are not enforced (expired at `nowMs`, or of a type
 * this OS cannot match) and why; undefined when every item is in force.
 */
export function indicatorStatusNote(items: readonly RiskIndicator[], nowMs: number, platform: Platform): string | undefined {
  const { active, expired } = inForce(items, nowMs);
  const unmatchable = active.filter((i) => notApplicableReason(i.type, platform) !== undefined);
  if (expired.length === 0 && unmatchable.length === 0) return undefined;
  const parts = [
    expired.length > 0 ? `${expired.length} expired (not enforced): ${listed(expired, (i) => ` at ${i.expirationTime}`)}` : '',
    unmatchable.length > 0
      ? `${unmatchable.length} notApplicable on ${platform}: ${listed(unmatchable, (i) => ` (${notApplicableReason(i.type, platform)})`)}`
      : '',
  ].filter(Boolean);
  const text = `${expired.length + unmatchable.length} of ${items.length} indicator(s) not enforced: ${parts.join('; ')}`;
  return text.length > 2048 ? `${text.slice(0, 2047)}…` : text;
}

/** Adds indicatorStatusNote to the succeeded `indicators.items` status (other statuses keep their own message). */
export function withIndicatorNotes(statuses: readonly SettingStatus[], nowMs: number, platform: Platform): SettingStatus[] {
  return statuses.map((s) => {
    if (s.settingId !== 'indicators.items' || s.state !== 'succeeded' || !Array.isArray(s.desired)) return s;
    const note = indicatorStatusNote(s.desired as unknown as RiskIndicator[], nowMs, platform);
    return note === undefined ? s : { ...s, message: note };
  });
}
