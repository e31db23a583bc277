// The stopAndQuarantineFile action (Defender's "Stop and quarantine file"): every process whose executable has the
// SHA-256 is killed, and only once all are gone is each such file moved to the quarantine (remediation.ts's rules:
// never an OS file or the agent itself; the quarantine checks the hash on the file it moves). With `path`, that file
// is quarantined even when nothing runs it. A file that may not move (an OS file, the agent) refuses the whole action
// before any process is stopped.
import { type Clock, sleep } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { ActionResultOf } from '../../../../policy-schemas/src/index.js';
import type { FileQuarantine } from '../quarantine.js';
import { sha256OfFile } from '../quarantine.js';
import { listProcesses, type ProcessTableDeps } from './process-table.js';
import { type RemediationDeps, refusalOf } from './remediation.js';

type Result = ActionResultOf<'stopAndQuarantineFile'>;

export interface StopAndQuarantineDeps extends ProcessTableDeps, Pick<RemediationDeps, 'ownExecutable' | 'agentPaths'> {
  readonly quarantine: FileQuarantine;
  readonly ownPid: number;
  /** Kills a process at once (SIGKILL / TerminateProcess); throws when it cannot. */
  readonly kill: (pid: number) => void;
  /** Waits between the kill and the check that every process is gone. */
  readonly clock: Clock;
}

/** The reason recorded with each file this action quarantines: recovery after a kill finds them by it. */
export const actionReason = (actionId: string | undefined, sha256: string) => `response action ${actionId ?? '(local)'}: stopAndQuarantineFile ${sha256}`;

export async function stopAndQuarantine(
  deps: StopAndQuarantineDeps,
  request: { readonly sha256: string; readonly path?: string; readonly actionId?: string },
): Promise<Result> {
  const sha256 = request.sha256.toLowerCase();
  const running = async () => (await listProcesses(deps, { sha256: true })).filter((p) => p.sha256 === sha256 && (!request.path || p.path === request.path));
  const matches = await running();
  const paths = new Set(matches.flatMap((p) => (p.path ? [p.path] : [])));
  if (request.path && (await sha256OfFile(request.path).catch(() => undefined)) === sha256) paths.add(request.path);
  if (paths.size === 0) {
    const where = request.path ? `at ${request.path}` : 'among the running executables';
    throw new AttacheError('FILE_NOT_FOUND', `no file with SHA-256 ${sha256} ${where}`);
  }
  // Refused before anything is killed: an admin naming an OS binary's hash must not stop every process running it.
  for (const path of paths) {
    const refusal = await refusalOf(deps, path);
    if (refusal) throw new AttacheError('QUARANTINE_FAILED', `not quarantined, nothing stopped: ${refusal}`);
  }
  const killed: Result['killed'] = [];
  for (const p of matches) {
    if (p.pid <= 1 || p.pid === deps.ownPid)
      throw new AttacheError('QUARANTINE_FAILED', `pid ${p.pid} runs the file and may not be stopped (system or agent process)`);
    try {
      deps.kill(p.pid);
      killed.push({ pid: p.pid, name: p.name.slice(0, 400) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH')
        throw new AttacheError('QUARANTINE_FAILED', `cannot stop pid ${p.pid}: ${(err as Error).message}`, { cause: err });
    }
  }
  // A process started again between the list and the kill (a respawning service) keeps the file in use: refuse.
  const left = killed.length > 0 ? await waitGone(running, deps.clock) : [];
  if (left.length > 0) throw new AttacheError('QUARANTINE_FAILED', `processes still run the file after the kill: ${left.join(', ')}; nothing was moved`);
  const items: Result['items'] = [];
  for (const path of paths) {
    const record = await deps.quarantine.quarantine(path, { reason: actionReason(request.actionId, sha256), expectSha256: sha256 });
    items.push({ quarantineId: record.quarantineId, originalPath: record.originalPath, sizeBytes: record.sizeBytes, sha256: record.sha256 });
  }
  return { sha256, killed, items };
}

/** The quarantined files an action moved (recovery after a kill). */
export async function quarantinedBy(quarantine: FileQuarantine, actionId: string, sha256: string): Promise<Result['items']> {
  const reason = actionReason(actionId, sha256);
  return (await quarantine.list())
    .filter((r) => r.reason === reason)
    .map((r) => ({ quarantineId: r.quarantineId, originalPath: r.originalPath, sizeBytes: r.sizeBytes, sha256: r.sha256 }));
}

/** Pids still running the file once the kill has had a moment (up to 1 s) to land. */
async function waitGone(running: () => Promise<{ pid: number }[]>, clock: Clock): Promise<number[]> {
  let left: number[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    left = (await running()).map((p) => p.pid);
    if (left.length === 0) return [];
    await sleep(clock, 50);
  }
  return left;
}
