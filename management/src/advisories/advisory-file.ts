// One advisory file as an admin downloads it, read whole before anything is stored: an OSV record, a JSON array of
// them, a zip of them (osv.dev's `<ecosystem>/all.zip`), or an NVD CVE API 2.0 page (also zipped, as NVD's feeds).
// Any malformed record refuses the whole file (ADVISORY_INVALID), so an import never half-succeeds.
import { Buffer } from 'node:buffer';
import { AttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { type AdvisorySkip, MAX_FILE_BYTES, MAX_INFLATE_RATIO, MAX_RECORD_BYTES, type NormalizedAdvisory, type ParsedAdvisoryFile } from './model.js';
import { readNvdItem } from './nvd.js';
import { readOsvRecord } from './osv.js';
import { type RecordPlace, RecordReader } from './record-reader.js';
import { looksLikeZip, zipEntries } from './zip.js';

interface RecordResult {
  readonly id: string;
  readonly advisory?: NormalizedAdvisory;
  readonly withdrawn: boolean;
  readonly skipped: readonly AdvisorySkip[];
}

/** One JSON document of the file: the file itself, or one zip entry. */
interface Document {
  readonly text: string;
  readonly bytes: number;
  readonly entry?: string;
}

function* documents(bytes: Uint8Array, file: string): Generator<Document> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (data: Uint8Array, entry?: string): string => {
    try {
      return decoder.decode(data);
    } catch {
      // The decoder's TypeError says no more than this message.
      const what = entry === undefined ? `advisory file ${JSON.stringify(file)}` : `zip entry ${JSON.stringify(entry)}`;
      throw new AttacheError('ADVISORY_INVALID', `${what} is not UTF-8 text`);
    }
  };
  if (!looksLikeZip(bytes)) {
    yield { text: decode(bytes), bytes: bytes.length };
    return;
  }
  // An NVD feed zip holds one page, far larger than a record: entries are bounded by the total, records below.
  const limits = { maxEntryBytes: MAX_FILE_BYTES, maxTotalBytes: MAX_FILE_BYTES, maxRatio: MAX_INFLATE_RATIO };
  for (const { name, data } of zipEntries(bytes, file, limits)) {
    yield { text: decode(data, name), bytes: data.length, entry: name };
  }
}

/** The records of one document with their format, the NVD page's own fields checked. */
function recordsOf(doc: Document, file: string): { format: 'osv' | 'nvd'; records: unknown[]; single: boolean } {
  const where = doc.entry === undefined ? `advisory file ${JSON.stringify(file)}` : `zip entry ${JSON.stringify(doc.entry)} of ${JSON.stringify(file)}`;
  const value = parseJsonText(doc.text, where, 'ADVISORY_INVALID');
  if (Array.isArray(value)) return { format: 'osv', records: value, single: false };
  if (value === null || typeof value !== 'object' || !('vulnerabilities' in value)) return { format: 'osv', records: [value], single: true };
  const page = new RecordReader({ index: -1, what: 'the NVD page', ...(doc.entry === undefined ? {} : { entry: doc.entry }) });
  const o = page.object(value, '$');
  for (const key of ['resultsPerPage', 'startIndex', 'totalResults']) if (!Number.isInteger(o[key])) page.fail(`$.${key}`, 'expected an integer');
  if (o.format !== 'NVD_CVE') page.fail('$.format', 'must be "NVD_CVE"');
  if (o.version !== '2.0') page.fail('$.version', 'must be "2.0" (the NVD CVE API 2.0 format)');
  page.timestamp(o.timestamp, '$.timestamp', 'utcWithout');
  return { format: 'nvd', records: page.array(o.vulnerabilities, '$.vulnerabilities'), single: false };
}

/** A record read under its format, refused when its JSON text (`bytes`, measured when unknown) exceeds MAX_RECORD_BYTES. */
function readRecord(format: 'osv' | 'nvd', record: unknown, place: RecordPlace, bytes: number | undefined): RecordResult {
  const size = bytes ?? Buffer.byteLength(JSON.stringify(record) ?? '');
  if (size > MAX_RECORD_BYTES) {
    const o = record as { id?: unknown; cve?: { id?: unknown } } | null;
    const id = format === 'osv' ? o?.id : o?.cve?.id;
    new RecordReader(typeof id === 'string' ? { ...place, id } : place).fail('$', `the record is ${size} bytes, more than ${MAX_RECORD_BYTES}`);
  }
  return format === 'osv' ? readOsvRecord(record, place) : readNvdItem(record, place);
}

/** The read of one file, one step per record (yielding nothing), returning the parsed file. */
function* readSteps(bytes: Uint8Array, file: string): Generator<void, ParsedAdvisoryFile> {
  if (bytes.length > MAX_FILE_BYTES)
    throw new AttacheError('ADVISORY_INVALID', `advisory file ${JSON.stringify(file)} is ${bytes.length} bytes, more than ${MAX_FILE_BYTES}`);
  let format: 'osv' | 'nvd' | undefined;
  let read = 0;
  const kept = new Map<string, { advisory: NormalizedAdvisory; index: number }>();
  const skipped: AdvisorySkip[] = [];
  const withdrawn = new Set<string>();
  for (const doc of documents(bytes, file)) {
    const found = recordsOf(doc, file);
    if (format !== undefined && found.format !== format) {
      throw new AttacheError(
        'ADVISORY_INVALID',
        `advisory file ${JSON.stringify(file)} mixes OSV records and NVD pages (${JSON.stringify(doc.entry ?? '')}); import them separately`,
      );
    }
    format = found.format;
    for (const record of found.records) {
      const index = read++;
      const place = { index, ...(doc.entry === undefined ? {} : { entry: doc.entry }) };
      const result = readRecord(found.format, record, place, found.single ? doc.bytes : undefined);
      skipped.push(...result.skipped);
      if (result.withdrawn) withdrawn.add(result.id);
      if (!result.advisory) continue;
      const before = kept.get(result.id);
      const newer = !before || result.advisory.modified >= before.advisory.modified;
      const older = newer ? before : { advisory: result.advisory, index };
      if (newer) kept.set(result.id, { advisory: result.advisory, index });
      if (older)
        skipped.push({
          id: result.id,
          path: '',
          reason: `record ${older.index} is an older copy of this id (modified ${older.advisory.modified}); the newest is kept`,
        });
      yield;
    }
  }
  // A withdrawn copy wins over a live one in the same file: withdrawal is the later act.
  const advisories = [...kept.values()].filter((k) => !withdrawn.has(k.advisory.id)).map((k) => k.advisory);
  return { format: format ?? 'osv', read, advisories, skipped, withdrawn: [...withdrawn] };
}

/**
 * Reads one advisory file (named `file` in messages) completely: every record validated and normalised, duplicates of
 * one id resolved to the newest `modified` (the older listed as skipped), withdrawn ids collected. Pure: the caller
 * read the bytes and stores the result in one transaction.
 */
export function parseAdvisoryFile(bytes: Uint8Array, file: string): ParsedAdvisoryFile {
  const steps = readSteps(bytes, file);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Records read between two pauses of parseAdvisoryFileYielding: about 40 ms at 80 µs a record. */
export const RECORDS_PER_PAUSE = 500;

/**
 * parseAdvisoryFile, awaiting `pause` (the endpoint passes common/clock.ts endOfTurn) every `every` records, so a large
 * archive does not hold the event loop for its whole read. One JSON document (a zip entry, an NVD page) is still parsed
 * in one piece.
 */
export async function parseAdvisoryFileYielding(
  bytes: Uint8Array,
  file: string,
  pause: () => Promise<void>,
  every: number = RECORDS_PER_PAUSE,
): Promise<ParsedAdvisoryFile> {
  const steps = readSteps(bytes, file);
  for (let n = 1; ; n++) {
    const step = steps.next();
    if (step.done) return step.value;
    if (n % every === 0) await pause();
  }
}
