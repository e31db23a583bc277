// CLI entry of the management endpoint: `attache-management serve --data-dir <dir> ...`. Prints one JSON line on
// stdout once listening; logs JSON to stderr; SIGTERM/SIGINT close the server and the database and exit 0.
import { Command, InvalidArgumentError, Option } from 'commander';
import { toAttacheError } from '../../common/errors.js';
import { ATTACHE_VERSION } from '../../common/version.js';
import { installMemoryReport } from './debug-memory.js';
import { startEndpoint } from './endpoint.js';
import { type AdmissionLimits, parseAdmissionLimits } from './http/admission.js';
import { type MetricsListen, parseMetricsListen } from './http/ops-routes.js';
import { type EnrollRateLimits, parseEnrollRateLimits } from './http/rate-limit.js';
import { parseListen } from './listen-address.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './logging.js';

interface ServeOptions {
  dataDir: string;
  listen: { host: string; port: number };
  publicUrl?: string;
  san?: string[];
  logLevel: LogLevel;
  unassignedCompliance: 'compliant' | 'noncompliant';
  complianceCheckSeconds?: number;
  enrollRateLimit?: EnrollRateLimits | false;
  admission?: AdmissionLimits | false;
  listenBacklog?: number;
  database?: string;
  debugMemoryFile?: string;
  metrics?: MetricsListen;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
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

async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel);
  if (options.debugMemoryFile) installMemoryReport(options.debugMemoryFile);
  const endpoint = await startEndpoint(
    {
      dataDir: options.dataDir,
      listenHost: options.listen.host,
      listenPort: options.listen.port,
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      extraNames: options.san ?? [],
      unassignedCompliance: options.unassignedCompliance,
      ...(options.complianceCheckSeconds === undefined ? {} : { complianceIntervalMs: options.complianceCheckSeconds * 1000 }),
      ...(options.enrollRateLimit === undefined ? {} : { enrollRateLimits: options.enrollRateLimit }),
      ...(options.admission === undefined ? {} : { admission: options.admission }),
      ...(options.listenBacklog === undefined ? {} : { listenBacklog: options.listenBacklog }),
      ...(options.database === undefined ? {} : { databaseUrl: options.database }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    },
    { logger },
  ).catch((err: unknown) => {
    const e = toAttacheError(err);
    logger.error('endpoint failed to start', { component: 'endpoint', code: e.code, error: e.message });
    throw err;
  });
  const listening = { event: 'listening', url: endpoint.url, dataDir: endpoint.dataDir, ...(endpoint.metricsUrl ? { metricsUrl: endpoint.metricsUrl } : {}) };
  process.stdout.write(`${JSON.stringify(listening)}\n`);

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

/**
 * Exit codes of `serve` (docs/deploy.md): 69 (sysexits EX_UNAVAILABLE) when the database cannot be reached, so a
 * service manager retries; 75 (EX_TEMPFAIL, as the agent) when another `serve` holds the data dir; 78 (EX_CONFIG) for
 * a configuration error, which a restart cannot fix; else 1.
 */
function exitCodeFor(code: string): number {
  if (code === 'DATABASE_UNAVAILABLE') return 69;
  if (code === 'DAEMON_ALREADY_RUNNING') return 75;
  return code === 'CONFIG_INVALID' ? 78 : 1;
}

function buildProgram(): Command {
  const program = new Command('attache-management').description('Attaché management endpoint').version(ATTACHE_VERSION).showHelpAfterError();
  program
    .command('serve')
    .description('run the HTTPS endpoint (creates CA, keys and admin token on first start)')
    .requiredOption('--data-dir <dir>', 'data directory (created 0700)')
    .addOption(
      new Option('--listen <host:port>', 'address to listen on (port 0 = any free port)')
        .default(parseListen('127.0.0.1:8443'), '127.0.0.1:8443')
        .argParser(parseListen),
    )
    .option('--public-url <url>', 'https URL devices use to reach this endpoint (default https://<listen host>:<port>)')
    .option('--san <name...>', 'extra DNS names or IPs for the server certificate')
    .addOption(new Option('--log-level <level>', 'log level').choices([...LOG_LEVELS]).default('info'))
    .addOption(
      new Option('--unassigned-compliance <state>', 'compliance state of devices with no compliance policy assigned (Intune default: compliant)')
        .choices(['compliant', 'noncompliant'])
        .default('compliant'),
    )
    .option('--compliance-check-seconds <n>', 're-evaluate devices whose compliance may have gone stale every n seconds (default 60)', positiveInt)
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
    .addOption(
      new Option('--database <url>', 'PostgreSQL database, postgres://user@host:port/db (default: SQLite in the data dir)').env('ATTACHE_DATABASE_URL'),
    )
    .option(
      '--metrics <where>',
      'serve Prometheus GET /metrics: "on" (on the main listener) or <host:port> (own plain-HTTP listener, e.g. 127.0.0.1:9464); default off',
      optionParser(parseMetricsListen),
    )
    .option('--listen-backlog <n>', 'queue of connections the kernel holds before accept (default 4096, capped by net.core.somaxconn)', positiveInt)
    // Benchmarks only (bench/push-connections.bench.ts): hidden from --help.
    .addOption(new Option('--debug-memory-file <path>', 'on SIGUSR2, write RSS and V8 heap figures to <path>').hideHelp())
    .action((opts: ServeOptions) => serve(opts));
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const e = toAttacheError(err);
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    process.exit(exitCodeFor(e.code));
  });
