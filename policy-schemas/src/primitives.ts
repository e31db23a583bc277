// Small schema fragments every document and message reuses: ids, times, platforms, states, setting values.
import { type Static, Type } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'RFC 4122 UUID' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 time, UTC' });
/** Raw Ed25519 public key, 32 bytes, base64. */
export const PublicKey = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: 'raw Ed25519 public key, base64' });
/** Ed25519 signature, 64 bytes, base64. */
export const Signature = Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$', description: 'Ed25519 signature, base64' });
export const ShortText = Type.String({ minLength: 1, maxLength: 200 });

/** No control (C0, DEL, C1), format (bidi embeddings/overrides/isolates, marks, zero-width, BOM, tags), line/paragraph
 * separator or lone surrogate characters: the set `common/terminal-text.ts` escapes on output. */
export const DISPLAY_NAME_PATTERN = '^[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]*$';

/** A name an admin gives an object (policy, compliance policy): 1–200 visible characters, see DISPLAY_NAME_PATTERN. */
export const DisplayName = Type.String({ minLength: 1, maxLength: 200, pattern: DISPLAY_NAME_PATTERN });

/**
 * A device's hostname as it states it: dot-separated labels of 1–63 ASCII letters, digits, `-` or `_`, at most 253
 * characters (RFC 1123, plus the `_` that Windows NetBIOS names and some Linux hosts carry). Internationalised names
 * only in their ASCII (punycode, `xn--`) form, so a name cannot hide behind look-alike or invisible characters; the
 * agent converts its own name before it states it.
 */
export const HOSTNAME_PATTERN = '^(?=.{1,253}$)[A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*$';
export const Hostname = Type.String({ minLength: 1, maxLength: 253, pattern: HOSTNAME_PATTERN, description: 'hostname (ASCII, IDN as punycode)' });

export const Platform = Type.Union([Type.Literal('windows'), Type.Literal('macos'), Type.Literal('linux')], {
  description: 'Operating system family of a device',
});
export type Platform = Static<typeof Platform>;
export const PLATFORMS: readonly Platform[] = ['windows', 'macos', 'linux'];

/**
 * Client or server edition of the device's OS (Windows 11 Enterprise vs Windows Server 2022). Optional wherever a
 * device states it: absent means `workstation`, so agents that predate it stay valid.
 */
export const OsType = Type.Union([Type.Literal('workstation'), Type.Literal('server')], {
  description: 'Client (workstation) or server edition of the operating system',
});
export type OsType = Static<typeof OsType>;

/** Every policy kind, in catalog order (Intune endpoint-security profiles plus Attaché's own Linux firewall and indicators). */
export const POLICY_KINDS = [
  'antivirus',
  'antivirusExclusions',
  'defenderUpdate',
  'securityExperience',
  'firewall',
  'firewallRules',
  'edr',
  'asr',
  'linuxFirewall',
  'indicators',
] as const;

export const PolicyKind = Type.Union(
  POLICY_KINDS.map((kind) => Type.Literal(kind)),
  {
    description: 'Policy kind (Intune endpoint-security profile family)',
  },
);
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** Per-setting status, as Intune reports it (Succeeded / Error / Conflict / Not applicable / Pending). */
export const SettingState = Type.Union(
  [Type.Literal('succeeded'), Type.Literal('error'), Type.Literal('conflict'), Type.Literal('notApplicable'), Type.Literal('pending')],
  { description: 'Per-setting status' },
);
export type SettingState = Static<typeof SettingState>;

/**
 * A setting value: a boolean, an integer, a string, a list of strings, or a list of objects (firewall rules,
 * indicators, exclusion entries; each item's shape comes from the setting's catalog entry). Lists merge as a union.
 */
export const SettingValue = Type.Union([
  Type.Boolean(),
  Type.Integer(),
  Type.String({ maxLength: 4096 }),
  Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 }),
  Type.Array(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown()), { maxItems: 5000 }),
]);
export type SettingValue = Static<typeof SettingValue>;

export const ErrorCodeString = Type.String({ pattern: '^[A-Z][A-Z0-9_]{2,63}$', description: 'stable error code (docs/errors.md)' });

export const ErrorDetail = Type.Object({ path: Type.String({ maxLength: 1024 }), message: Type.String({ maxLength: 2048 }) }, { additionalProperties: false });

/** Body of every error response of the endpoint. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: ErrorCodeString,
        message: Type.String({ maxLength: 4096 }),
        details: Type.Optional(Type.Array(ErrorDetail, { maxItems: 100 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:error-response', title: 'Error response' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;
