// Installed software as the agent states it (issue 18): one item per package, application or update, with the version
// exactly as the OS tool printed it and the comparator (`scheme`) that reads it. Strings from the device are data:
// not pattern-checked (a hostile package name is stored and rendered escaped), only length-bounded.
import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './primitives.js';

/**
 * An unchanged inventory is uploaded again once the last acknowledged upload is this old (ms), so the endpoint knows
 * the device's software is current: its compliance check counts an inventory older than 7 days as unknown
 * (service/compliance/checks.ts MAX_SOFTWARE_AGE_DAYS). Three days leaves room for an agent offline a few days.
 */
export const SOFTWARE_RESEND_AFTER_MS = 3 * 24 * 3_600_000;

/** At most this many items in one inventory; the rest is left out and `truncated` says so. */
export const MAX_SOFTWARE_ITEMS = 20_000;
/**
 * At most this many bytes of UTF-8 JSON in one SoftwareUpload (the endpoint route's body limit): 20,000 items with long
 * install paths can exceed it, so the agent drops items from the end of the sorted list until it fits and sets
 * `truncated` (review 18 L2).
 */
export const MAX_SOFTWARE_UPLOAD_BYTES = 8 * 1024 * 1024;

/** Length bounds of an item's strings, in code points (the collectors cut to them). */
export const SOFTWARE_LIMITS = { name: 256, version: 128, vendor: 256, architecture: 32, installPath: 1024, sourceName: 256, sourceVersion: 128 } as const;

/** Where an item was read: dpkg database, rpm database, Uninstall registry keys, macOS application bundle, pkgutil receipt, the OS itself. */
export const SoftwareSource = Type.Union([
  Type.Literal('dpkg'),
  Type.Literal('rpm'),
  Type.Literal('windowsRegistry'),
  Type.Literal('macApplication'),
  Type.Literal('pkgutil'),
  Type.Literal('os'),
]);
export type SoftwareSource = Static<typeof SoftwareSource>;

/** Which version comparator reads `version` (common/versions/): Debian policy, rpmvercmp, numeric dotted, SemVer 2.0.0. */
export const VersionScheme = Type.Union([Type.Literal('dpkg'), Type.Literal('rpm'), Type.Literal('dotted'), Type.Literal('semver')]);
export type VersionScheme = Static<typeof VersionScheme>;

/** One installed package, application or update. */
export const SoftwareItem = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: SOFTWARE_LIMITS.name }),
    /**
     * The tool's exact string: dpkg `[epoch:]upstream[-revision]` (epoch only when non-zero, as `${Version}` prints it),
     * rpm `[epoch:]version-release` (epoch only when set). Empty when the source states none: listed, never matched.
     */
    version: Type.String({ maxLength: SOFTWARE_LIMITS.version }),
    /** Publisher (Windows), maintainer (dpkg), vendor (rpm), signing authority (macOS). */
    vendor: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.vendor })),
    architecture: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.architecture })),
    source: SoftwareSource,
    scheme: VersionScheme,
    installPath: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.installPath })),
    /**
     * dpkg only, and only where it differs from name / version: the source package the binary package was built from
     * (`${source:Package}`, `${source:Version}`). Debian and Ubuntu advisories name source packages and their versions
     * (libssl3 → openssl; bsdutils `1:2.38.1-5+deb12u1` → util-linux `2.38.1-5+deb12u1`, no epoch).
     */
    sourceName: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.sourceName })),
    sourceVersion: Type.Optional(Type.String({ maxLength: SOFTWARE_LIMITS.sourceVersion })),
  },
  { additionalProperties: false },
);
export type SoftwareItem = Static<typeof SoftwareItem>;

/** A device's installed software at one time; uploaded only when `digest` changed (next to DeviceInventory). */
export const SoftwareInventory = Type.Object(
  {
    collectedAt: Timestamp,
    os: Type.Object(
      {
        name: Type.String({ maxLength: 200 }),
        version: Type.String({ maxLength: 100 }),
        build: Type.Optional(Type.String({ maxLength: 100 })),
      },
      { additionalProperties: false },
    ),
    /** Sorted (name, source, architecture, version, installPath, then the item's canonical JSON); cut at MAX_SOFTWARE_ITEMS. */
    items: Type.Array(SoftwareItem, { maxItems: MAX_SOFTWARE_ITEMS }),
    /**
     * True when the device had more items than MAX_SOFTWARE_ITEMS, a tool's output was cut at its size limit, or items
     * were dropped so the upload fits MAX_SOFTWARE_UPLOAD_BYTES.
     */
    truncated: Type.Boolean(),
    /** SHA-256 (hex) of the canonical JSON of `items`. */
    digest: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false, $id: 'urn:attache:software-inventory', title: 'Software inventory' },
);
export type SoftwareInventory = Static<typeof SoftwareInventory>;
