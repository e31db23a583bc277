// CLI entry of the management endpoint: `attache-management serve --data-dir <dir> ...`. Prints one JSON line on
// stdout once listening; logs JSON to stderr; SIGTERM/SIGINT close the server and the database and exit 0.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { errorOutput } from '../../common/error-output.js';
import { AttacheError, toAttacheError } from '../../common/errors.js';
import { EXIT, exitCodeFor, exitCodesHelp } from '../../common/exit-codes.js';
import { ATTACHE_VERSION } from '../../common/version.js';
import { registerBackupCommand } from './backup/command.js';
import { installMemoryReport } from './debug-memory.js';
import { startEndpoint } from './endpoint.js';
import { parseAdmissionLimits } from './http/admission.js';
import { parseMetricsListen } from './http/ops-routes.js';
import { parseEnrollRateLimits } from './http/rate-limit.js';
import { parseListen } from './listen-address.js';
import { createLogger, LOG_LEVELS } from './logging.js';
import { registerKekCommands } from './pki/kek-command.js';
import { DEFAULT_LISTEN, parsePositiveInt, resolveServeSettings, type ServeFlags } from './serve-config.js';
import { registerAdminResetCommand } from './service/identity/reset-command.js';
import { isDatabaseUnavailable } from './store/transactions.js';

/** The flags of `serve` (settings from flags, env and config file: serve-config.ts) and the benchmark-only one. */
interface ServeOptions extends ServeFlags {
  debugMemoryFile?: string;
}

/** A commander argument parser from a parser that throws an Error naming the bad value. */
function optionParser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

async function serve(flags: ServeOptions): Promise<void> {
  const options = await resolveServeSettings(flags, process.env);
  const logger = createLogger(options.logLevel);
  if (options.configFile) logger.info('configuration file read', { component: 'endpoint', configFile: options.configFile });
  if (flags.debugMemoryFile) installMemoryReport(flags.debugMemoryFile);
  const endpoint = await startEndpoint(
    {
      dataDir: options.dataDir,
      listenHost: options.listen.host,
      listenPort: options.listen.port,
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      extraNames: options.san ?? [],
      alternateUrls: options.alternateUrls,
      unassignedCompliance: options.unassignedCompliance,
      ...(options.complianceCheckSeconds === undefined ? {} : { complianceIntervalMs: options.complianceCheckSeconds * 1000 }),
      ...(options.enrollRateLimit === undefined ? {} : { enrollRateLimits: options.enrollRateLimit }),
      ...(options.admission === undefined ? {} : { admission: options.admission }),
      ...(options.listenBacklog === undefined ? {} : { listenBacklog: options.listenBacklog }),
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      ...(options.tls === undefined ? {} : { ownCertificate: options.tls }),
      ...(options.keyEncryptionKeyFile === undefined ? {} : { keyEncryptionKeyFile: options.keyEncryptionKeyFile }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      ...(options.actionsPackageMaxBytes === undefined ? {} : { actions: { packageMaxBytes: options.actionsPackageMaxBytes } }),
    },
    { logger },
  ).catch((err: unknown) => {
    const e = toAttacheError(err);
    logger.error('endpoint failed to start', { component: 'endpoint', code: e.code, error: e.message });
    throw err;
  });
  const listening = { event: 'listening', url: endpoint.url, dataDir: endpoint.dataDir, ...(endpoint.metricsUrl ? { metricsUrl: endpoint.metricsUrl } : {}) };
  process.stdout.write(`${JSON.stringify(listening)}\n`);
  // For a person at a terminal only: stderr otherwise carries JSON logs, which a plain sentence would break.
  if (process.stderr.isTTY) process.stderr.write(servingHint(endpoint.dataDir));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { component: 'endpoint', signal });
    endpoint.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { component: 'endpoint', error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** The next step after `serve` started: it keeps running, so the admin commands go in another terminal. */
function servingHint(dataDir: string): string {
  return `next: serve keeps running here; in another terminal
  npm run admin -- --data-dir ${dataDir} onboarding create --out /tmp/attache-try/onboarding.json   # or attache-admin
  npm run admin -- --data-dir ${dataDir} device list
`;
}

function buildProgram(): Command {
  // Exit codes (docs/deploy.md, docs/errors.md): the shared contract; for `serve` 69 means the database cannot be
  // reached (a service manager retries), 75 another `serve` holds the data dir, 78 a configuration a restart cannot fix.
  const program = new Command('attache-management')
    .description('Attaché management endpoint')
    .version(ATTACHE_VERSION)
    .showHelpAfterError()
    .addHelpText('after', exitCodesHelp())
    .exitOverride();
  program
    .command('serve')
    .description('run the HTTPS endpoint (creates CA, keys, admin token and the first Administrator on first start)')
    // No commander defaults: a flag must be told from "not given" (flag > ATTACHE_* > config file > default).
    .option('--config <file>', 'endpoint configuration file, JSON (also ATTACHE_CONFIG; docs/deploy.md "Configuration file")')
    .option('--data-dir <dir>', 'data directory (created 0700); required here, in ATTACHE_DATA_DIR or in the config file')
    .option('--listen <host:port>', `address to listen on (port 0 = any free port; default ${DEFAULT_LISTEN})`, parseListen)
    .option('--public-url <url>', 'https URL devices use to reach this endpoint (default https://<listen host>:<port>)')
    .option(
      '--alternate-url <url>',
      'another https URL of this deployment for onboarding packages (repeatable; env ATTACHE_ALTERNATE_URLS, comma-separated)',
      (url: string, all: string[] | undefined) => [...(all ?? []), url],
    )
    .option('--san <name...>', 'extra DNS names or IPs for the server certificate')
    .addOption(new Option('--log-level <level>', 'log level (default info)').choices([...LOG_LEVELS]))
    .addOption(
      new Option('--unassigned-compliance <state>', 'compliance state of devices with no compliance policy assigned (Intune default: compliant)').choices([
        'compliant',
        'noncompliant',
      ]),
    )
    .option(
      '--compliance-check-seconds <n>',
      're-evaluate devices whose compliance may have gone stale every n seconds (default 60)',
      optionParser(parsePositiveInt),
    )
    .option(
      '--enroll-rate-limit <limits>',
      'enrollment rate limit: "<per address per minute>,<total per second>" or "off" (default 20,20)',
      optionParser(parseEnrollRateLimits),
    )
    .option(
      '--admission <limits>',
      'device API admission control: "<requests>,<upgrades>,<event-loop delay ms>" in flight before 503 ENDPOINT_BUSY, or "off" (default 1024,256,1000)',
      optionParser(parseAdmissionLimits),
    )
    .option('--database <url>', 'PostgreSQL database, postgres://user@host:port/db (also ATTACHE_DATABASE_URL; default: SQLite in the data dir)')
    .option('--database-url-file <file>', 'file holding the postgres:// URL, to keep its password out of the process list')
    .option(
      '--key-encryption-key-file <file>',
      "with PostgreSQL: the key (base64 of 32 bytes) that encrypts the endpoint's keys in the database; the same file on every replica",
    )
    .option(
      '--listen-backlog <n>',
      'queue of connections the kernel holds before accept (default 4096, capped by net.core.somaxconn)',
      optionParser(parsePositiveInt),
    )
    .option('--tls-cert <pem>', 'your own server certificate (leaf, then intermediates) instead of the endpoint-issued one; with --tls-key, --tls-ca')
    .option('--tls-key <pem>', 'private key of --tls-cert')
    .option('--tls-ca <pem>', 'root CA certificate of --tls-cert: agents pin it (onboarding packages carry it)')
    .option(
      '--metrics <where>',
      'serve Prometheus GET /metrics: "on" (on the main listener) or <host:port> (own plain-HTTP listener, e.g. 127.0.0.1:9464); default off',
      optionParser(parseMetricsListen),
    )
    // Benchmarks only (bench/push-connections.bench.ts): hidden from --help.
    .addOption(new Option('--debug-memory-file <path>', 'on SIGUSR2, write RSS and V8 heap figures to <path>').hideHelp())
    .action((opts: ServeOptions) => serve(opts));
  registerBackupCommand(program);
  registerKekCommands(program);
  registerAdminResetCommand(program, () => createLogger('warn'));
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    // Commander printed its own message (or the help or version asked for); subcommands inherit exitOverride.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    // A database lost after the store opened (the cluster bus, the lock connection) is as unavailable as one never reached.
    const e = isDatabaseUnavailable(err) ? new AttacheError('DATABASE_UNAVAILABLE', (err as Error).message) : toAttacheError(err);
    process.stderr.write(errorOutput(e, false));
    process.exit(exitCodeFor(e.code));
  });
