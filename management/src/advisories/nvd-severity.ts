// The severity of an NVD CVE from its `metrics`: NVD states base scores, so they are read (vectors checked), not
// recomputed. Order: CVSS v3.1, v3.0, v4.0, v2; within a version NVD's own (Primary) before a CNA's (Secondary).
import { levelFromWord, parseCvssV3, severityBand } from './cvss.js';
import type { AdvisorySeverity } from './model.js';
import type { RecordReader } from './record-reader.js';

const ORDER = [
  ['cvssMetricV31', '3.1'],
  ['cvssMetricV30', '3.0'],
  ['cvssMetricV40', '4.0'],
  ['cvssMetricV2', '2.0'],
] as const;

/** v2 has no "none" band: 0.0–3.9 low, 4.0–6.9 medium, 7.0–10.0 high (NVD). */
const v2Band = (score: number): AdvisorySeverity['level'] => (score < 4 ? 'low' : score < 7 ? 'medium' : 'high');

/** Reads the metrics (every entry validated) and picks the severity; `unknown` when NVD gives none. */
export function nvdSeverity(r: RecordReader, metrics: Record<string, unknown>): AdvisorySeverity {
  let best: AdvisorySeverity | undefined;
  for (const [key, version] of ORDER) {
    const path = `$.cve.metrics.${key}`;
    const list = r.array(metrics[key], path, true).map((item, k) => {
      const at = `${path}[${k}]`;
      const m = r.object(item, at);
      const type = m.type;
      if (type !== 'Primary' && type !== 'Secondary') r.fail(`${at}.type`, 'must be Primary or Secondary');
      const data = r.object(m.cvssData, `${at}.cvssData`);
      if (data.version !== version) r.fail(`${at}.cvssData.version`, `must be "${version}"`);
      const vector = r.string(data.vectorString, `${at}.cvssData.vectorString`, 512);
      if (version.startsWith('3.')) {
        try {
          parseCvssV3(vector);
        } catch (err) {
          r.fail(`${at}.cvssData.vectorString`, (err as Error).message);
        }
      }
      const score = data.baseScore;
      if (typeof score !== 'number' || !(score >= 0 && score <= 10)) r.fail(`${at}.cvssData.baseScore`, 'must be a number from 0 to 10');
      const level = version === '2.0' ? (levelFromWord(m.baseSeverity) ?? v2Band(score)) : severityBand(score);
      return { primary: type === 'Primary', severity: { level, cvssScore: score, cvssVector: vector, version } };
    });
    const chosen = list.find((x) => x.primary) ?? list[0];
    best ??= chosen?.severity;
  }
  return best ?? { level: 'unknown' };
}
