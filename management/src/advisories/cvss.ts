// CVSS v3.x base scores from a vector string (FIRST CVSS v3.1 specification §7.1, with the Roundup of Appendix A) and
// the qualitative bands NVD uses. OSV records carry only the vector, so the score is computed here, never guessed.
import { AttacheError } from '../../../common/errors.js';
import type { SeverityLevel } from './model.js';

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  PR: { N: 0.85, L: 0.62, H: 0.27 },
  UI: { N: 0.85, R: 0.62 },
  S: { U: 0, C: 1 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
} as const;
type BaseMetric = keyof typeof WEIGHTS;
const BASE = Object.keys(WEIGHTS) as BaseMetric[];

/** Temporal and environmental metrics a v3 vector may also hold (valid values); they do not change the base score. */
const OTHER: Readonly<Record<string, string>> = {
  E: 'XUPFH',
  RL: 'XOTWU',
  RC: 'XURC',
  CR: 'XLMH',
  IR: 'XLMH',
  AR: 'XLMH',
  MAV: 'XNALP',
  MAC: 'XLH',
  MPR: 'XNLH',
  MUI: 'XNR',
  MS: 'XUC',
  MC: 'XNLH',
  MI: 'XNLH',
  MA: 'XNLH',
};

/** A parsed CVSS v3 base: the version and each base metric's value letter. */
export interface CvssV3 {
  readonly version: '3.0' | '3.1';
  readonly metrics: Readonly<Record<BaseMetric, string>>;
}

function cvssError(vector: string, reason: string): AttacheError {
  return new AttacheError('ADVISORY_INVALID', `CVSS vector ${JSON.stringify(vector.slice(0, 200))} is not valid: ${reason}`);
}

/** Parses `CVSS:3.x/AV:…/…`: every base metric exactly once, other metrics known and at most once; ADVISORY_INVALID otherwise. */
export function parseCvssV3(vector: string): CvssV3 {
  const parts = vector.split('/');
  const head = parts.shift();
  if (head !== 'CVSS:3.0' && head !== 'CVSS:3.1') throw cvssError(vector, 'it must start with CVSS:3.0/ or CVSS:3.1/');
  const seen = new Map<string, string>();
  for (const part of parts) {
    const [name = '', value, extra] = part.split(':');
    if (value === undefined || extra !== undefined) throw cvssError(vector, `${JSON.stringify(part)} is not metric:value`);
    if (seen.has(name)) throw cvssError(vector, `metric ${name} is given twice`);
    const allowed = Object.hasOwn(WEIGHTS, name) ? Object.keys(WEIGHTS[name as BaseMetric]).join('') : OTHER[name];
    if (allowed === undefined) throw cvssError(vector, `unknown metric ${JSON.stringify(name)}`);
    if (value.length !== 1 || !allowed.includes(value)) throw cvssError(vector, `${name} must be one of ${allowed.split('').join(', ')}`);
    seen.set(name, value);
  }
  const missing = BASE.filter((m) => !seen.has(m));
  if (missing.length > 0) throw cvssError(vector, `base metric(s) ${missing.join(', ')} missing`);
  const metrics = Object.fromEntries(BASE.map((m) => [m, seen.get(m) as string])) as Record<BaseMetric, string>;
  return { version: head === 'CVSS:3.0' ? '3.0' : '3.1', metrics };
}

/**
 * The specification's Roundup (v3.1 Appendix A): the smallest number with one decimal equal to or above the input,
 * computed on integers so that 4.000000000000001 gives 4.0, not 4.1. v3.0 defined the same function without this care;
 * it is used for both versions.
 */
export function roundUp(input: number): number {
  const scaled = Math.round(input * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

const weight = (metrics: CvssV3['metrics'], m: BaseMetric): number => (WEIGHTS[m] as Record<string, number>)[metrics[m]] as number;

/** The base score (0.0–10.0) of a CVSS v3.0/v3.1 vector, §7.1. */
export function cvssV3BaseScore(vector: string): number {
  const { metrics } = parseCvssV3(vector);
  const changed = metrics.S === 'C';
  // Privileges Required weighs more when the scope changes (§7.4).
  const pr = changed && metrics.PR === 'L' ? 0.68 : changed && metrics.PR === 'H' ? 0.5 : weight(metrics, 'PR');
  const iss = 1 - (1 - weight(metrics, 'C')) * (1 - weight(metrics, 'I')) * (1 - weight(metrics, 'A'));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * weight(metrics, 'AV') * weight(metrics, 'AC') * pr * weight(metrics, 'UI');
  if (impact <= 0) return 0;
  return changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
}

/** NVD's qualitative rating of a CVSS v3/v4 score: 0 none, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical. */
export function severityBand(score: number): SeverityLevel {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/**
 * A rating word as databases write it (GHSA's `MODERATE`, NVD's `HIGH`, Ubuntu's priorities) → our level; undefined
 * for any other word. Ubuntu's `negligible` ("technically a security problem") is low, not none.
 */
export function levelFromWord(word: unknown): SeverityLevel | undefined {
  if (typeof word !== 'string') return undefined;
  const w = word.toLowerCase();
  if (w === 'moderate') return 'medium';
  if (w === 'negligible') return 'low';
  return (['none', 'low', 'medium', 'high', 'critical'] as const).find((l) => l === w);
}
