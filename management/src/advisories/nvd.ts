// Reads an NVD CVE API 2.0 page (the `/rest/json/cves/2.0` answer and the 2.0 data feeds: {…, format "NVD_CVE",
// version "2.0", vulnerabilities: [{cve}]}) into NormalizedAdvisory records: CVSS metrics to a severity, and the
// configurations to the cpeMatch criteria common/versions/cpe.ts decides. Schema: csrc.nist.gov cve_api_json_2.0.schema.
import { AttacheError } from '../../../common/errors.js';
import { compileCpeMatch, type NvdCpeMatch } from '../../../common/versions/cpe.js';
import { parseVersion } from '../../../common/versions/index.js';
import type { AdvisorySeverity, AdvisorySkip, NormalizedAdvisory, NvdConfiguration, NvdNode } from './model.js';
import { nvdSeverity } from './nvd-severity.js';
import { boundedSummary, type RecordPlace, RecordReader } from './record-reader.js';

/** What one CVE gives: the advisory to store (absent when rejected or nothing is evaluable) and what was skipped. */
export interface NvdRecordResult {
  readonly id: string;
  readonly advisory?: NormalizedAdvisory;
  readonly withdrawn: boolean;
  readonly skipped: readonly AdvisorySkip[];
}

const BOUNDS = ['versionStartIncluding', 'versionStartExcluding', 'versionEndIncluding', 'versionEndExcluding'] as const;

function readOperator(r: RecordReader, value: unknown, path: string): 'AND' | 'OR' {
  if (value !== 'AND' && value !== 'OR') r.fail(path, 'must be AND or OR');
  return value;
}

/** One cpeMatch as the schema requires, its criteria a CPE 2.3 name (CPE_INVALID's reason quoted otherwise). */
function readCpeMatch(r: RecordReader, value: unknown, path: string): NvdCpeMatch {
  const o = r.object(value, path);
  const match: Record<string, unknown> = {
    vulnerable: r.boolean(o.vulnerable, `${path}.vulnerable`),
    criteria: r.string(o.criteria, `${path}.criteria`, 1024),
  };
  r.string(o.matchCriteriaId, `${path}.matchCriteriaId`, 64);
  for (const field of BOUNDS) if (o[field] !== undefined) match[field] = r.string(o[field], `${path}.${field}`, 256);
  try {
    compileCpeMatch(match as unknown as NvdCpeMatch);
  } catch (err) {
    if (!(err instanceof AttacheError)) throw err;
    r.fail(`${path}.criteria`, err.message);
  }
  return match as unknown as NvdCpeMatch;
}

function readConfiguration(r: RecordReader, value: unknown, path: string): NvdConfiguration {
  const o = r.object(value, path);
  const operator = o.operator === undefined ? 'OR' : readOperator(r, o.operator, `${path}.operator`);
  const negate = o.negate === undefined ? false : r.boolean(o.negate, `${path}.negate`);
  const nodes = r.array(o.nodes, `${path}.nodes`).map((item, k): NvdNode => {
    const at = `${path}.nodes[${k}]`;
    const n = r.object(item, at);
    return {
      operator: readOperator(r, n.operator, `${at}.operator`),
      negate: n.negate === undefined ? false : r.boolean(n.negate, `${at}.negate`),
      cpeMatch: r.array(n.cpeMatch, `${at}.cpeMatch`).map((m, j) => readCpeMatch(r, m, `${at}.cpeMatch[${j}]`)),
    };
  });
  return { operator, negate, nodes };
}

/** Bounds that can never be compared: they must all parse as dotted versions, or all as SemVer (cpe.ts's rule). */
function unevaluableBounds(match: NvdCpeMatch): string | undefined {
  const texts = BOUNDS.flatMap((f) => (match[f] === undefined ? [] : [match[f] as string]));
  if (texts.length === 0) return undefined;
  const parses = (scheme: 'dotted' | 'semver') =>
    texts.every((t) => {
      try {
        parseVersion(scheme, t);
        return true;
      } catch (err) {
        if (err instanceof AttacheError) return false;
        throw err;
      }
    });
  return parses('dotted') || parses('semver') ? undefined : `version bounds ${JSON.stringify(texts)} are neither all dotted nor all SemVer versions`;
}

/** The configurations that can be evaluated; a configuration with any unevaluable cpeMatch is skipped whole. */
function usableConfigurations(id: string, configurations: readonly NvdConfiguration[], skipped: AdvisorySkip[]): NvdConfiguration[] {
  return configurations.filter((config, c) => {
    for (const [k, node] of config.nodes.entries()) {
      for (const [j, match] of node.cpeMatch.entries()) {
        const why = unevaluableBounds(match);
        if (why) {
          // Dropping one criteria from an AND node would widen the match: the whole configuration goes.
          skipped.push({ id, path: `configurations[${c}].nodes[${k}].cpeMatch[${j}]`, reason: why });
          return false;
        }
      }
    }
    return true;
  });
}

/** The English description (else the first), the summary of the advisory. */
function readDescription(r: RecordReader, value: unknown): string {
  const list = r.array(value, '$.cve.descriptions').map((item, k) => {
    const o = r.object(item, `$.cve.descriptions[${k}]`);
    return { lang: r.string(o.lang, `$.cve.descriptions[${k}].lang`, 16), value: r.string(o.value, `$.cve.descriptions[${k}].value`, 4096) };
  });
  if (list.length === 0) r.fail('$.cve.descriptions', 'must hold at least one description');
  return (list.find((d) => d.lang === 'en') ?? list[0])?.value ?? '';
}

function readReferences(r: RecordReader, value: unknown): void {
  const list = r.array(value, '$.cve.references');
  if (list.length > 500) r.fail('$.cve.references', 'more than 500 references');
  for (const [k, item] of list.entries()) {
    const o = r.object(item, `$.cve.references[${k}]`);
    const url = r.string(o.url, `$.cve.references[${k}].url`, 500);
    if (!/^(ftp|http)s?:\/\/\S+$/.test(url)) r.fail(`$.cve.references[${k}].url`, 'not an http(s) or ftp(s) URL');
  }
}

/** Reads one `vulnerabilities[]` item ({cve}); ADVISORY_INVALID (record and path named) when it breaks the schema. */
export function readNvdItem(value: unknown, place: RecordPlace): NvdRecordResult {
  const outer = new RecordReader(place);
  const cve = outer.object(outer.object(value, '$').cve, '$.cve');
  const id = outer.string(cve.id, '$.cve.id', 64);
  if (!/^CVE-[0-9]{4}-[0-9]{4,}$/.test(id)) outer.fail('$.cve.id', `${JSON.stringify(id)} is not a CVE id (CVE-YYYY-NNNN)`);
  const r = new RecordReader({ ...place, id });
  const published = r.timestamp(cve.published, '$.cve.published', 'utcWithout');
  const modified = r.timestamp(cve.lastModified, '$.cve.lastModified', 'utcWithout');
  const status = r.optionalString(cve.vulnStatus, '$.cve.vulnStatus', 64);
  const summary = readDescription(r, cve.descriptions);
  readReferences(r, cve.references);
  const severity: AdvisorySeverity = nvdSeverity(r, cve.metrics === undefined ? {} : r.object(cve.metrics, '$.cve.metrics'));
  const configurations = r.array(cve.configurations, '$.cve.configurations', true).map((c, k) => readConfiguration(r, c, `$.cve.configurations[${k}]`));
  if (status === 'Rejected') return { id, withdrawn: true, skipped: [] };
  const skipped: AdvisorySkip[] = [];
  const affected = usableConfigurations(id, configurations, skipped);
  if (affected.length === 0) {
    const reason = configurations.length === 0 ? 'no configurations (NVD has not analysed it yet)' : 'no configuration can be evaluated';
    skipped.push({ id, path: '', reason });
    return { id, withdrawn: false, skipped };
  }
  const advisory: NormalizedAdvisory = { source: 'nvd', id, aliases: [], modified, published, summary: boundedSummary(summary), severity, affected };
  return { id, advisory, withdrawn: false, skipped };
}
