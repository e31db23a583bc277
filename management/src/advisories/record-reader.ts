// Reads the fields of one advisory record and refuses it with ADVISORY_INVALID naming the record (index, id, zip
// entry) and the JSON path of the bad field: one reader for the OSV and NVD parsers.
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import { MAX_SUMMARY } from './model.js';

/** Where a record sits in the file, for the error message. */
export interface RecordPlace {
  readonly index: number;
  readonly id?: string;
  /** The zip entry it came from, when it came from a zip. */
  readonly entry?: string;
  /** Names something other than a record (the NVD page around the records): replaces "advisory record <index>". */
  readonly what?: string;
}

/** The error for a bad field of one record (`path` is a JSON path such as `$.affected[0].ranges[1].events`). */
export function recordInvalid(place: RecordPlace, path: string, reason: string): AttacheError {
  const id = place.id === undefined ? '' : ` (${JSON.stringify(place.id.slice(0, 200))})`;
  const entry = place.entry === undefined ? '' : ` in ${JSON.stringify(place.entry)}`;
  return new AttacheError(
    'ADVISORY_INVALID',
    `${place.what ?? `advisory record ${place.index}`}${id}${entry} is malformed: ${path}: ${reason}; nothing was imported`,
    {
      details: [{ path, message: reason }],
    },
  );
}

type Json = Record<string, unknown>;

/** Typed access to one record's fields; every refusal names the path. */
export class RecordReader {
  constructor(readonly place: RecordPlace) {}

  fail(path: string, reason: string): never {
    throw recordInvalid(this.place, path, reason);
  }

  object(value: unknown, path: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'expected an object');
    return value as Json;
  }

  /** An array; `null` or absent gives [] when `optional` (OSV allows null for several lists). */
  array(value: unknown, path: string, optional = false): unknown[] {
    if (optional && (value === undefined || value === null)) return [];
    if (!Array.isArray(value)) this.fail(path, optional ? 'expected an array or null' : 'expected an array');
    return value;
  }

  string(value: unknown, path: string, max = 4096): string {
    if (typeof value !== 'string') this.fail(path, 'expected a string');
    if (value.length > max) this.fail(path, `longer than ${max} characters`);
    return value;
  }

  optionalString(value: unknown, path: string, max = 4096): string | undefined {
    return value === undefined ? undefined : this.string(value, path, max);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'expected true or false');
    return value;
  }

  /**
   * An RFC 3339 timestamp normalised to `YYYY-MM-DDTHH:MM:SS.sssZ`. `zone: 'required'` is OSV's rule (UTC, `Z`);
   * NVD writes UTC without a zone (`2023-10-24T19:15:10.187`), read as UTC.
   */
  timestamp(value: unknown, path: string, zone: 'required' | 'utcWithout'): string {
    const text = this.string(value, path, 64);
    const pattern = zone === 'required' ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;
    if (!pattern.test(text)) this.fail(path, `${JSON.stringify(text)} is not a ${zone === 'required' ? 'UTC RFC 3339 timestamp (…Z)' : 'date-time'}`);
    const ms = Date.parse(text.endsWith('Z') ? text : `${text}Z`);
    // Date.parse rolls 2023-02-30 over into March: the normalised time must keep the date and time as written.
    const iso = Number.isNaN(ms) ? '' : isoTime(ms);
    if (iso.slice(0, 19) !== text.slice(0, 19)) this.fail(path, `${JSON.stringify(text)} is not a valid date`);
    return iso;
  }
}

/** Text cut to MAX_SUMMARY code points (ending in `…` when cut); a summary is data, never refused for its length. */
export function boundedSummary(text: string): string {
  const points = Array.from(text);
  return points.length <= MAX_SUMMARY ? text : `${points.slice(0, MAX_SUMMARY - 1).join('')}…`;
}
