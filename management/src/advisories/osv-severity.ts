// The severity of an OSV record: its CVSS v3 vector scored (cvss.ts), else a rating the database states. OSV's
// `severity[]` holds vectors only; GHSA puts its rating in `database_specific.severity`.

import { cvssV3BaseScore, levelFromWord, severityBand } from './cvss.js';
import type { AdvisorySeverity } from './model.js';

/** One validated `severity[]` entry. */
export interface OsvSeverityEntry {
  readonly type: string;
  readonly score: string;
}

/**
 * The record's severity. A CVSS_V3 vector wins (the highest base score when there are several); then a CVSS_V4 or
 * CVSS_V2 vector is kept with the level the database states (`database_specific.severity`), `unknown` without one
 * (we do not compute v4 or v2 scores); then an Ubuntu priority. Entries of `affected[].severity` count when the record
 * has none of its own (the schema allows one place or the other).
 */
export function osvSeverity(entries: readonly OsvSeverityEntry[], databaseSeverity: unknown): AdvisorySeverity {
  const stated = levelFromWord(databaseSeverity);
  const v3 = entries
    .filter((e) => e.type === 'CVSS_V3')
    .map((e) => ({ vector: e.score, score: cvssV3BaseScore(e.score) }))
    .sort((a, b) => b.score - a.score)[0];
  if (v3) return { level: severityBand(v3.score), cvssScore: v3.score, cvssVector: v3.vector, version: v3.vector.slice(5, 8) };
  for (const [type, version] of [
    ['CVSS_V4', '4.0'],
    ['CVSS_V2', '2.0'],
  ] as const) {
    const entry = entries.find((e) => e.type === type);
    if (entry) return { level: stated ?? 'unknown', cvssVector: entry.score, version };
  }
  const ubuntu = entries.find((e) => e.type === 'Ubuntu');
  return { level: levelFromWord(ubuntu?.score) ?? stated ?? 'unknown' };
}
