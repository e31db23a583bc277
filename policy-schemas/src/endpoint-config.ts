// The management endpoint's configuration file (`serve --config <file>`). Each key is also a `serve` flag and an
// ATTACHE_* environment variable (docs/deploy.md, "Configuration file"); flag > variable > file > default.
import { type Static, Type } from '@sinclair/typebox';
import { LogLevel } from './agent-config.js';

const Path = Type.String({ minLength: 1, maxLength: 4096 });

/** The endpoint configuration file. Every key is optional; relative paths are relative to the file's folder. */
export const EndpointConfig = Type.Object(
  {
    /** Data directory (created 0700): SQLite database, CA, keys, admin token, admin.json. */
    dataDir: Type.Optional(Path),
    /** Address to listen on: host:port, [v6-host]:port or port (default 127.0.0.1:8443). */
    listen: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** The https URL devices use (default https://<listen host>:<port>). */
    publicUrl: Type.Optional(Type.String({ pattern: '^https://', maxLength: 2048 })),
    /** Extra DNS names or IP addresses for the issued server certificate (or that your own certificate must cover). */
    san: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 100 })),
    /** Other https URLs of this deployment (replicas, load balancers), listed in onboarding packages after publicUrl. */
    alternateUrls: Type.Optional(Type.Array(Type.String({ pattern: '^https://', maxLength: 2048 }), { maxItems: 8, uniqueItems: true })),
    logLevel: Type.Optional(LogLevel),
    /** Compliance state of devices with no compliance policy assigned (default compliant, as Intune). */
    unassignedCompliance: Type.Optional(Type.Union([Type.Literal('compliant'), Type.Literal('noncompliant')])),
    /** Period of the re-evaluation of devices whose compliance may have gone stale (default 60). */
    complianceCheckSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
    /** "<per address per minute>,<total per second>" or "off" (default "20,20"). */
    enrollRateLimit: Type.Optional(Type.String({ pattern: '^(off|[0-9]{1,6},[0-9]{1,6})$' })),
    /** "<requests>,<upgrades>,<event-loop delay ms>" in flight before 503 ENDPOINT_BUSY, or "off" (default "1024,256,1000"). */
    admission: Type.Optional(Type.String({ pattern: '^(off|[0-9]{1,6},[0-9]{1,6},[0-9]{1,6})$' })),
    /** Connections the kernel queues before accept (default 4096, capped by net.core.somaxconn). */
    listenBacklog: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    /** postgres:// URL of the database (default: SQLite in the data dir). Prefer databaseUrlFile for a password. */
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', maxLength: 4096 })),
    /** A file holding the postgres:// URL (with its password), so the password is neither in this file nor in `ps`. */
    databaseUrlFile: Type.Optional(Path),
    /** Prometheus GET /metrics: "on" (the main listener) or "host:port" of its own plain-HTTP listener; absent: off. */
    metrics: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** The key-encryption key file (base64 of 32 bytes) that seals the endpoint's keys in a PostgreSQL database. */
    keyEncryptionKeyFile: Type.Optional(Path),
    /** PEM server certificate from your PKI (leaf first, then intermediates); needs tlsKey and tlsCa. */
    tlsCert: Type.Optional(Path),
    /** PEM private key of tlsCert. */
    tlsKey: Type.Optional(Path),
    /** PEM root CA certificate that issued tlsCert: agents pin it (onboarding packages carry it). */
    tlsCa: Type.Optional(Path),
    /** Response actions (docs/actions.md "Action center (API)"). */
    actions: Type.Optional(
      Type.Object(
        {
          /** Largest investigation package a device may upload, sent to it as parameters.maxBytes (default 64 MiB). */
          packageMaxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:endpoint-config', title: 'Endpoint configuration file' },
);
export type EndpointConfig = Static<typeof EndpointConfig>;
