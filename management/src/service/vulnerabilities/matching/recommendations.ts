// Security recommendations (docs/vulnerabilities.md "Recommendations"): one per (ecosystem, software as advisories
// name it), a stable id, the highest fixed version by the ecosystem's comparator, and the title shown.
import { createHash } from 'node:crypto';
import type { VersionScheme } from '../../../../../common/versions/index.js';
import { schemeForEcosystem } from '../../../../../common/versions/osv-range.js';
import { highestVersion } from './matcher.js';

/** First 32 hex digits of sha256(`${ecosystem}\u0000${matchedName}`): stable across imports and recomputes. */
export function recommendationId(ecosystem: string, matchedName: string): string {
  return createHash('sha256').update(`${ecosystem}\u0000${matchedName}`, 'utf8').digest('hex').slice(0, 32);
}

/** The comparator of a recommendation's fixed versions: the OSV ecosystem's, else the package's own scheme. */
export function fixedVersionScheme(ecosystem: string, packageScheme: VersionScheme): VersionScheme {
  return schemeForEcosystem(ecosystem) ?? packageScheme;
}

/** The highest fixed version among findings (null entries are findings with no fix); null when none has one. */
export function recommendedVersion(scheme: VersionScheme, fixedVersions: readonly (string | null)[]): string | null {
  return (
    highestVersion(
      scheme,
      fixedVersions.filter((v): v is string => v !== null),
    ) ?? null
  );
}

/** `Update openssl to 3.0.15-1~deb12u1 or later`, or `openssl: no update available yet`. */
export function recommendationTitle(matchedName: string, fixedVersion: string | null): string {
  const title = fixedVersion === null ? `${matchedName}: no update available yet` : `Update ${matchedName} to ${fixedVersion} or later`;
  return title.length > 600 ? `${title.slice(0, 599)}…` : title;
}
