// When does health count as changed (and get uploaded at once)? Everything but the collection time and the ever-growing
// signature age, which counts only by crossing the out-of-date threshold — otherwise every reading would be new.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../common/canonical-json.js';
import type { HealthReading } from './health-reader.js';

/** SHA-256 (hex) of what matters in a health reading. */
export function healthDigest(reading: HealthReading, signatureMaxAgeHours: number): string {
  const { signatureAgeHours, ...antivirus } = reading.antivirus;
  const stale = typeof signatureAgeHours === 'number' ? signatureAgeHours > signatureMaxAgeHours : null;
  return createHash('sha256')
    .update(
      canonicalJson({ antivirus, signaturesOutOfDate: stale, firewall: reading.firewall, ...(reading.isolation ? { isolation: reading.isolation } : {}) }),
    )
    .digest('hex');
}
