// Value conversion between catalog (CSP) values and what the Defender cmdlets take and report, plus readers for the
// shapes Windows PowerShell 5.1's ConvertTo-Json gives CIM values: enums as integers, booleans as true/false, a
// DateTime as "\/Date(ms)\/", a TimeSpan as an object of Ticks/Hours/Minutes/TotalMinutes…, an empty list as null.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { ASR_ACTIONS, type MpCodec, THREAT_LEVELS } from './defender-mapping.js';

/** A value the table cannot convert: reported as that setting's failure, nothing is run for it. */
export class DefenderValueError extends Error {}

function integer(value: SettingValue, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new DefenderValueError(`${what}: expected an integer, got ${JSON.stringify(value)}`);
  return value;
}

function switch01(value: SettingValue, what: string): 0 | 1 {
  const n = integer(value, what);
  if (n !== 0 && n !== 1) throw new DefenderValueError(`${what}: expected 0 or 1, got ${n}`);
  return n;
}

/** A catalog value as the Set-MpPreference parameter value (minutes stay a number: the script makes the DateTime). */
export function encodeMp(codec: MpCodec, value: SettingValue, what: string): boolean | number | string {
  switch (codec) {
    case 'bool':
      return switch01(value, what) === 1;
    case 'inverted':
      return switch01(value, what) === 0;
    case 'maps':
      return switch01(value, what) === 1 ? 2 : 0;
    case 'int':
      return integer(value, what);
    case 'minutes': {
      const n = integer(value, what);
      if (n < 0 || n >= 1440) throw new DefenderValueError(`${what}: minutes after midnight must be 0–1439, got ${n}`);
      return n;
    }
    case 'string':
      if (typeof value !== 'string') throw new DefenderValueError(`${what}: expected a string, got ${JSON.stringify(value)}`);
      return value;
  }
}

/** A Get-MpPreference property as the catalog value; undefined when Defender does not report it in a known form. */
export function decodeMp(codec: MpCodec, raw: unknown): SettingValue | undefined {
  switch (codec) {
    case 'bool':
      return typeof raw === 'boolean' ? (raw ? 1 : 0) : undefined;
    case 'inverted':
      return typeof raw === 'boolean' ? (raw ? 0 : 1) : undefined;
    case 'maps':
      return typeof raw === 'number' ? (raw === 0 ? 0 : 1) : undefined;
    case 'int':
      return typeof raw === 'number' && Number.isInteger(raw) ? raw : undefined;
    case 'minutes':
      return psTimeOfDayMinutes(raw);
    case 'string':
      return raw === null ? '' : typeof raw === 'string' ? raw : undefined;
  }
}

/** A string list property: null (nothing configured) is [], a lone string (older serializers) is one item. */
export function psStringList(raw: unknown): string[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.filter((v): v is string => typeof v === 'string');
  return [];
}

/** A number list property (e.g. AttackSurfaceReductionRules_Actions, a uint8[]). */
export function psNumberList(raw: unknown): number[] {
  if (typeof raw === 'number') return [raw];
  if (Array.isArray(raw)) return raw.map((v) => (typeof v === 'number' ? v : Number.NaN));
  return [];
}

/** Minutes after midnight of a time-of-day property: TimeSpan object, "hh:mm:ss" or "\/Date(ms)\/" (UTC). */
export function psTimeOfDayMinutes(raw: unknown): number | undefined {
  if (raw !== null && typeof raw === 'object') {
    const ts = raw as Record<string, unknown>;
    if (typeof ts.Ticks === 'number') return Math.round(ts.Ticks / 600_000_000) % 1440;
    if (typeof ts.TotalMinutes === 'number') return Math.round(ts.TotalMinutes) % 1440;
    return undefined;
  }
  if (typeof raw !== 'string') return undefined;
  const hms = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(raw);
  if (hms) return Number(hms[1]) * 60 + Number(hms[2]);
  const ms = psDateMs(raw);
  if (ms === undefined) return undefined;
  const d = new Date(ms);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** Epoch milliseconds of a PowerShell 5.1 date ("\/Date(1700000000000)\/", the ETS {value, DateTime} wrapper) or ISO text. */
export function psDateMs(raw: unknown): number | undefined {
  // A DateTime may come wrapped once as { value, DisplayHint, DateTime }; unwrapped once, never recursively on input.
  const text = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  if (typeof text !== 'string' || text === '') return undefined;
  const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(text);
  const ms = m ? Number(m[1]) : Date.parse(text);
  // No Date exists beyond ±8.64e15 ms: toISOString() would throw a RangeError on it.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

/**
 * "1=2|2=2|4=3|5=3" → level → action (levels 1 Low, 2 Moderate, 4 High, 5 Severe; actions 1, 2, 3, 6, 8, 10 as the
 * catalog allows). The plan and the emulator parse the CSP string with this one function.
 */
export function threatActionPairs(value: SettingValue, what: string): Map<number, number> {
  if (typeof value !== 'string' || !/^[1245]=(10|[12368])(\|[1245]=(10|[12368]))*$/.test(value)) {
    throw new DefenderValueError(`${what}: expected level=action pairs such as "1=2|2=2|4=3|5=3", got ${JSON.stringify(value)}`);
  }
  const byLevel = new Map<number, number>();
  for (const pair of value.split('|')) {
    const [level, action] = pair.split('=').map(Number) as [number, number];
    if (byLevel.has(level)) throw new DefenderValueError(`${what}: level ${level} is given twice`);
    byLevel.set(level, action);
  }
  return byLevel;
}

/** Level → action pairs as the CSP string, in level order; undefined when there are none. */
export function threatActionString(byLevel: ReadonlyMap<number, number>): string | undefined {
  const pairs = THREAT_LEVELS.flatMap(([level]) => (byLevel.has(level) ? [`${level}=${byLevel.get(level)}`] : []));
  return pairs.length > 0 ? pairs.join('|') : undefined;
}

/** The configured level=action pairs in level order; undefined when every level is 0 ("as the security intelligence says"). */
export function decodeThreatActions(preference: Readonly<Record<string, unknown>>): string | undefined {
  const pairs = THREAT_LEVELS.flatMap(([level, param]) => {
    const action = preference[param];
    return typeof action === 'number' && action !== 0 ? [`${level}=${action}`] : [];
  });
  return pairs.length > 0 ? pairs.join('|') : undefined;
}

/** The catalog mode of an ASR rule from the Ids/Actions pair arrays; a rule that is not listed is not configured. */
export function decodeAsrRule(preference: Readonly<Record<string, unknown>>, guid: string): string | undefined {
  const ids = psStringList(preference.AttackSurfaceReductionRules_Ids).map((id) => id.toLowerCase());
  const actions = psNumberList(preference.AttackSurfaceReductionRules_Actions);
  const index = ids.indexOf(guid.toLowerCase());
  if (index < 0) return 'notConfigured';
  const action = actions[index];
  return Object.keys(ASR_ACTIONS).find((mode) => ASR_ACTIONS[mode] === action);
}
