// `npm run simulate -- --scenario <file>`: runs a fleet scenario against a real endpoint, prints the summary, writes
// results.json, report.html, junit.xml and PNG charts. Exit 0: passed; 1: an expectation failed or a fault never
// fired; the run could not start: the shared codes of common/exit-codes.ts (64 command line, 65 invalid scenario, …).
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { errorOutput, wantsJson } from '../../common/error-output.js';
import { AttacheError, toAttacheError } from '../../common/errors.js';
import { EXIT, exitCodeFor, exitCodesHelp } from '../../common/exit-codes.js';
import { ATTACHE_VERSION } from '../../common/version.js';
import type { AdminConnection } from './endpoint/admin-api.js';
import { REPO_ROOT } from './endpoint/endpoint-process.js';
import { createProgress } from './report/progress.js';
import { renderSummary } from './report/summary.js';
import { writeReports } from './report/write-reports.js';
import { runScenario } from './run/runner.js';
import { loadScenario, type Scenario } from './scenario/load.js';

interface CliOptions {
  scenario: string;
  out?: string;
  url?: string;
  adminToken?: string;
  caFile?: string;
  endpoint: 'source' | 'dist';
  endpointNodeArg?: string[];
  endpointDatabase?: string;
  replicas?: string;
  processes?: string;
  json?: boolean;
  verbose?: boolean;
  junit?: string;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function external(options: CliOptions): Promise<AdminConnection | undefined> {
  if (!options.url) return undefined;
  if (!options.adminToken || !options.caFile) throw new AttacheError('USAGE_INVALID', '--url needs --admin-token and --ca-file');
  const token = options.adminToken.startsWith('@') ? (await readFile(options.adminToken.slice(1), 'utf8')).trim() : options.adminToken;
  return { url: options.url, token, caPem: await readFile(options.caFile, 'utf8') };
}

/** The endpoint the simulator starts: the command line overrides the scenario's `endpoint`. */
function managedEndpoint(options: CliOptions, scenario: Scenario): { database: string; replicas: number } {
  const database = options.endpointDatabase ?? scenario.endpoint?.database ?? 'sqlite';
  if (!['sqlite', 'postgres'].includes(database) && !/^postgres(ql)?:\/\//.test(database)) {
    throw new AttacheError('USAGE_INVALID', `--endpoint-database must be sqlite, postgres or a postgres:// URL (got "${database}")`);
  }
  const replicas = options.replicas === undefined ? (scenario.endpoint?.replicas ?? 1) : Number(options.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16)
    throw new AttacheError('USAGE_INVALID', `--replicas must be a whole number from 1 to 16 (got "${options.replicas}")`);
  if (replicas > 1 && database === 'sqlite')
    throw new AttacheError('USAGE_INVALID', 'several endpoint replicas need PostgreSQL: add --endpoint-database postgres');
  for (const step of scenario.timeline) {
    if (step.action !== 'killReplica') continue;
    if (replicas < 2 || step.replica >= replicas) {
      throw new AttacheError(
        'USAGE_INVALID',
        `the scenario kills replica ${step.replica}: it needs at least ${Math.max(2, step.replica + 1)} replicas and ${replicas} would run (--replicas)`,
      );
    }
  }
  return { database, replicas };
}

async function simulate(options: CliOptions): Promise<number> {
  const scenario = await loadScenario(options.scenario);
  const connection = await external(options);
  if (connection && [...scenario.setup, ...scenario.timeline].some((s) => s.action === 'restartEndpoint' || s.action === 'killReplica')) {
    throw new Error('the scenario restarts the endpoint or kills a replica: run it without --url so the simulator starts the endpoint');
  }
  const managed = connection ? undefined : managedEndpoint(options, scenario);
  const outDir = resolve(options.out ?? join(REPO_ROOT, 'simulator', 'out', `${scenario.name}-${stamp(new Date())}`));
  await mkdir(outDir, { recursive: true });
  const progress = createProgress(process.stderr, { verbose: !!options.verbose });
  // Ctrl-C / SIGTERM: stop the fleet and the endpoint the run started before exiting.
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const output = await runScenario({
    scenario,
    outDir,
    endpoint: connection
      ? { kind: 'external', connection }
      : { kind: 'managed', build: options.endpoint, ...managed, ...(options.endpointNodeArg ? { nodeArgs: options.endpointNodeArg } : {}) },
    ...(options.processes ? { processes: Number(options.processes) } : {}),
    progress,
    signal: abort.signal,
  }).finally(() => progress.done());
  const files = await writeReports(outDir, output);
  if (options.junit) {
    await mkdir(dirname(resolve(options.junit)), { recursive: true });
    await copyFile(files.junit, resolve(options.junit));
  }
  if (options.json) process.stdout.write(`${JSON.stringify(output.results, null, 2)}\n`);
  else process.stdout.write(`${renderSummary(output.results)}\nresults: ${files.results}\nreport:  ${files.html}\n`);
  return output.results.passed ? 0 : 1;
}

function main(): void {
  const program = new Command('attache-simulate')
    .description('Run simulated hosts with the real agent core against a real management endpoint, and check expectations.')
    .requiredOption('--scenario <file>', 'scenario JSON (urn:attache:simulator-scenario)')
    .option('--out <dir>', 'where results.json, report.html and the PNG charts go (default simulator/out/<name>-<time>)')
    .option('--url <url>', 'use a running endpoint instead of starting one (needs --admin-token and --ca-file)')
    .option('--admin-token <token>', 'admin token of that endpoint, or @file')
    .option('--ca-file <pem>', "that endpoint's CA certificate")
    .addOption(
      new Option('--endpoint <build>', 'run the started endpoint from TypeScript source or the dist/ bundle').choices(['source', 'dist']).default('source'),
    )
    .option(
      '--endpoint-node-arg <arg...>',
      'a node flag for the started endpoint, e.g. --endpoint-node-arg=--cpu-prof --endpoint-node-arg=--cpu-prof-dir=/tmp/prof (repeatable)',
    )
    .option(
      '--endpoint-database <db>',
      "the started endpoint's database: sqlite (default), postgres (a scratch PostgreSQL cluster, removed after the run) or the postgres:// URL of an empty database; overrides the scenario's endpoint.database",
    )
    .option('--replicas <n>', 'serve processes on that PostgreSQL database, behind HAProxy when more than one (default 1); overrides endpoint.replicas')
    .option('--processes <n>', 'fleet processes (default: from the scenario, else one per 4,000 hosts and at least one per core)')
    .option('--junit <file>', 'also write the JUnit XML report here (it is always in the output directory as junit.xml)')
    .option('--json', 'print results.json instead of the summary')
    .option('--verbose', 'print step notes even when stderr is not a terminal')
    .version(ATTACHE_VERSION)
    .showHelpAfterError()
    .addHelpText('after', exitCodesHelp({ 1: 'an expectation failed, a fault never fired or the fleet was not ready' }))
    // Commander would exit 1 on a bad command line, like a failed expectation: the catch below makes it 64.
    .exitOverride();
  program.action(async (options: CliOptions) => {
    process.exitCode = await simulate(options);
  });
  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    if ((err as Error).message === 'run interrupted') {
      process.stderr.write('interrupted: fleet and endpoint stopped\n');
      process.exit(130);
    }
    const e = toAttacheError(err);
    process.stderr.write(errorOutput(e, wantsJson(process.argv)));
    process.exit(exitCodeFor(e.code));
  });
}

main();
