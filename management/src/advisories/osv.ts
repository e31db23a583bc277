// Reads one OSV record (schema 1.x, https://ossf.github.io/osv-schema/) into a NormalizedAdvisory: validated field by
// field (ADVISORY_INVALID names the path), affected entries kept as published when common/versions/ can evaluate them,
// the others listed as skipped with the reason (unsupported ecosystem, unparsable version, GIT-only), never guessed.
import { type OsvRange, osvAffectedProblems } from '../../../common/versions/osv-range.js';
import { parseCvssV3 } from './cvss.js';
import type { AdvisorySkip, NormalizedAdvisory, OsvAffectedEntry } from './model.js';
import { MAX_RECORD_BYTES } from './model.js';
import { type OsvSeverityEntry, osvSeverity } from './osv-severity.js';
import { boundedSummary, type RecordPlace, RecordReader } from './record-reader.js';

/** What one record gives: the advisory to store (absent when withdrawn or nothing is evaluable) and what was skipped. */
export interface OsvRecordResult {
  readonly id: string;
  readonly advisory?: NormalizedAdvisory;
  readonly withdrawn: boolean;
  readonly skipped: readonly AdvisorySkip[];
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const GIT_HASH = /^(0|[a-f0-9]{40}|[a-f0-9]{64})$/;
// The schema's score patterns for the vector types we keep but do not score.
const CVSS_V2 =
  /^((AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))\/)*(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))$/;
const CVSS_V4 =
  /^CVSS:4[.]0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN](\/[A-Z]+:[A-Za-z]+)*$/;
const UBUNTU = ['negligible', 'low', 'medium', 'high', 'critical'];

/** `severity[]` validated; types other than the schema's four are left out (informational, see docs). */
function readSeverity(r: RecordReader, value: unknown, path: string): OsvSeverityEntry[] {
  return r.array(value, path, true).flatMap((item, k) => {
    const at = `${path}[${k}]`;
    const o = r.object(item, at);
    const type = r.string(o.type, `${at}.type`, 64);
    const score = r.string(o.score, `${at}.score`, 512);
    if (type === 'CVSS_V3') {
      try {
        parseCvssV3(score);
      } catch (err) {
        r.fail(`${at}.score`, (err as Error).message);
      }
    } else if (type === 'CVSS_V2' && !CVSS_V2.test(score)) r.fail(`${at}.score`, 'not a CVSS v2 vector');
    else if (type === 'CVSS_V4' && !CVSS_V4.test(score)) r.fail(`${at}.score`, 'not a CVSS v4.0 vector');
    else if (type === 'Ubuntu' && !UBUNTU.includes(score)) r.fail(`${at}.score`, `an Ubuntu priority is one of ${UBUNTU.join(', ')}`);
    else if (!['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu'].includes(type)) return [];
    return [{ type, score }];
  });
}

/** One range as the schema requires: known type, events of exactly one key, an introduced, not fixed with last_affected. */
function readRange(r: RecordReader, value: unknown, path: string): OsvRange {
  const o = r.object(value, path);
  const type = r.string(o.type, `${path}.type`, 32);
  if (type !== 'ECOSYSTEM' && type !== 'SEMVER' && type !== 'GIT') r.fail(`${path}.type`, 'must be ECOSYSTEM, SEMVER or GIT');
  const repo = type === 'GIT' ? r.string(o.repo, `${path}.repo`, 2048) : r.optionalString(o.repo, `${path}.repo`, 2048);
  const events = r.array(o.events, `${path}.events`).map((item, k) => {
    const at = `${path}.events[${k}]`;
    const e = r.object(item, at);
    const keys = EVENT_KEYS.filter((key) => e[key] !== undefined);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined) r.fail(at, 'an event holds exactly one of introduced, fixed, last_affected, limit');
    const version = r.string(e[key], `${at}.${key}`, 256);
    if (type === 'GIT' && !GIT_HASH.test(version)) r.fail(`${at}.${key}`, 'a GIT event is a full commit hash (or "0")');
    return { [key]: version };
  });
  if (events.length === 0) r.fail(`${path}.events`, 'must hold at least one event');
  if (!events.some((e) => e.introduced !== undefined)) r.fail(`${path}.events`, 'must hold an introduced event');
  if (events.some((e) => e.fixed !== undefined) && events.some((e) => e.last_affected !== undefined)) {
    r.fail(`${path}.events`, 'fixed and last_affected events are mutually exclusive');
  }
  if (o.database_specific !== undefined) r.object(o.database_specific, `${path}.database_specific`);
  return { type, ...(repo === undefined ? {} : { repo }), events };
}

/** One affected entry validated; `package` undefined for a GIT-only entry (the schema allows it). */
function readAffected(r: RecordReader, value: unknown, path: string): { entry?: OsvAffectedEntry; severity: OsvSeverityEntry[] } {
  const o = r.object(value, path);
  const severity = readSeverity(r, o.severity, `${path}.severity`);
  const ranges = o.ranges === undefined ? undefined : r.array(o.ranges, `${path}.ranges`).map((x, k) => readRange(r, x, `${path}.ranges[${k}]`));
  const versions = o.versions === undefined ? undefined : r.array(o.versions, `${path}.versions`).map((v, k) => r.string(v, `${path}.versions[${k}]`, 256));
  const ecosystemSpecific = o.ecosystem_specific === undefined ? undefined : r.object(o.ecosystem_specific, `${path}.ecosystem_specific`);
  const databaseSpecific = o.database_specific === undefined ? undefined : r.object(o.database_specific, `${path}.database_specific`);
  if (o.package === undefined) return { severity };
  const p = r.object(o.package, `${path}.package`);
  const pkg = {
    ecosystem: r.string(p.ecosystem, `${path}.package.ecosystem`, 256),
    name: r.string(p.name, `${path}.package.name`, 1024),
    ...(p.purl === undefined ? {} : { purl: r.string(p.purl, `${path}.package.purl`, 2048) }),
  };
  const entry: OsvAffectedEntry = {
    package: pkg,
    ...(ranges ? { ranges } : {}),
    ...(versions ? { versions } : {}),
    ...(ecosystemSpecific ? { ecosystem_specific: ecosystemSpecific } : {}),
    ...(databaseSpecific ? { database_specific: databaseSpecific } : {}),
  };
  return { entry, severity };
}

/** Why an entry cannot be matched, or undefined when it can (GIT ranges are fine beside another range or versions). */
function whyNotEvaluable(entry: OsvAffectedEntry | undefined): { path: string; reason: string } | undefined {
  if (entry === undefined) return { path: '', reason: 'no package (a GIT-only entry): nothing installed to compare with' };
  const problems = osvAffectedProblems(entry);
  if ('unsupportedEcosystem' in problems)
    return { path: '.package.ecosystem', reason: `unsupported ecosystem ${JSON.stringify(problems.unsupportedEcosystem)}` };
  const hard = problems.ranges.find((p) => !p.git);
  if (hard) return { path: `.${hard.path}`, reason: hard.reason };
  const evaluableRanges = (entry.ranges?.length ?? 0) - problems.ranges.length;
  if (evaluableRanges === 0 && (entry.versions?.length ?? 0) === 0) {
    return { path: '', reason: problems.ranges.length > 0 ? 'only GIT ranges and no versions list: not evaluable' : 'neither ranges nor versions' };
  }
  return undefined;
}

/** Reads one OSV record; ADVISORY_INVALID (record and path named) when it does not follow the schema. */
export function readOsvRecord(value: unknown, place: RecordPlace): OsvRecordResult {
  const probe = new RecordReader(place).object(value, '$');
  const id = new RecordReader(place).string(probe.id, '$.id', 256);
  if (id === '') new RecordReader(place).fail('$.id', 'must not be empty');
  const r = new RecordReader({ ...place, id });
  const modified = r.timestamp(probe.modified, '$.modified', 'required');
  const published = probe.published === undefined ? undefined : r.timestamp(probe.published, '$.published', 'required');
  const withdrawnAt = probe.withdrawn === undefined ? undefined : r.timestamp(probe.withdrawn, '$.withdrawn', 'required');
  r.optionalString(probe.schema_version, '$.schema_version', 32);
  const aliases = r.array(probe.aliases, '$.aliases', true).map((a, k) => r.string(a, `$.aliases[${k}]`, 256));
  if (probe.related !== undefined) r.array(probe.related, '$.related');
  for (const [k, u] of (probe.upstream === undefined ? [] : r.array(probe.upstream, '$.upstream')).entries()) r.string(u, `$.upstream[${k}]`, 256);
  const summary = r.optionalString(probe.summary, '$.summary', MAX_RECORD_BYTES);
  const details = r.optionalString(probe.details, '$.details', MAX_RECORD_BYTES);
  for (const [k, ref] of r.array(probe.references, '$.references', true).entries()) {
    const o = r.object(ref, `$.references[${k}]`);
    r.string(o.type, `$.references[${k}].type`, 64);
    r.string(o.url, `$.references[${k}].url`, 4096);
  }
  const dbSpecific = probe.database_specific === undefined ? undefined : r.object(probe.database_specific, '$.database_specific');
  const own = readSeverity(r, probe.severity, '$.severity');
  const read = r.array(probe.affected, '$.affected', true).map((x, k) => readAffected(r, x, `$.affected[${k}]`));
  const severity = osvSeverity(own.length > 0 ? own : read.flatMap((a) => a.severity), dbSpecific?.severity);
  if (withdrawnAt !== undefined) return { id, withdrawn: true, skipped: [] };
  const skipped: AdvisorySkip[] = [];
  const affected: OsvAffectedEntry[] = [];
  for (const [k, { entry }] of read.entries()) {
    const why = whyNotEvaluable(entry);
    if (why) skipped.push({ id, path: `affected[${k}]${why.path}`, reason: why.reason });
    else if (entry) affected.push(entry);
  }
  if (affected.length === 0) {
    skipped.push({ id, path: '', reason: read.length === 0 ? 'lists no affected package' : 'no affected entry can be evaluated' });
    return { id, withdrawn: false, skipped };
  }
  const advisory: NormalizedAdvisory = {
    source: 'osv',
    id,
    aliases,
    modified,
    ...(published ? { published } : {}),
    // Debian's details start with a newline: the first line with text stands in for a missing summary.
    summary: boundedSummary(
      summary ??
        details
          ?.split('\n')
          .find((line) => line.trim() !== '')
          ?.trim() ??
        '',
    ),
    severity,
    affected,
  };
  return { id, advisory, withdrawn: false, skipped };
}
