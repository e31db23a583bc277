// How a response action's parameters and outcome read in one line wherever they are shown (admin CLI, web console),
// per type: "quick scan", "3 threats found by mdatp in 12.4 s", "package 1.2 MiB, 14 entries". Type imports only:
// the console bundles this file into the browser code. The strings it returns still carry device-supplied text (a
// threat name, a path): each caller escapes them for its medium (terminalCell, Preact text nodes).
import type { ActionType, MachineAction } from './actions.js';

type Fields = Readonly<Record<string, unknown>>;

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const count = (v: unknown): number => (typeof v === 'number' ? v : 0);
const list = (v: unknown): readonly Fields[] => (Array.isArray(v) ? (v as Fields[]) : []);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A byte count as people read it: 512 B, 12.0 KiB, 1.5 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** What the admin asked for beyond the type: "full", "quick scan", "sha256 …, path /x", "quarantine id …"; '' when nothing. */
export function actionParametersSummary(type: ActionType | string, parameters: Fields): string {
  switch (type) {
    case 'isolate':
      return `${text(parameters.mode) || 'full'} isolation`;
    case 'runAntivirusScan':
      return `${text(parameters.scanType) || 'quick'} scan`;
    case 'collectInvestigationPackage':
      return typeof parameters.maxBytes === 'number' ? `up to ${formatBytes(parameters.maxBytes)}` : '';
    case 'stopAndQuarantineFile':
      return [`sha256 ${text(parameters.sha256)}`, parameters.path === undefined ? '' : `path ${text(parameters.path)}`].filter(Boolean).join(', ');
    case 'restoreFromQuarantine':
      return `quarantine id ${text(parameters.quarantineId)}`;
    case 'updateSoftware':
      return list(parameters.packages)
        .map((p) => (p.fixedVersion ? `${text(p.name)} → ${text(p.fixedVersion)}` : text(p.name)))
        .join(', ');
    default:
      return '';
  }
}

/** What a finished action produced, in one line ('' without a result). */
export function actionResultSummary(type: ActionType | string, result: Fields | null | undefined): string {
  if (!result) return '';
  switch (type) {
    case 'isolate': {
      const allowed = list(result.allowed).map((a) => `${text(a.host)}:${text(a.port)}`);
      return `${text(result.mode)} isolation; still reachable: ${allowed.join(', ') || 'nothing'}`;
    }
    case 'release':
      return [result.wasIsolated === true ? 'released' : 'was not isolated', text(result.notice)].filter(Boolean).join('; ');
    case 'runAntivirusScan': {
      const seconds = (count(result.durationMs) / 1000).toFixed(1);
      return `${text(result.scanType)} scan by ${text(result.engine)} in ${seconds} s: ${plural(count(result.threatsFound), 'threat')} found`;
    }
    case 'collectInvestigationPackage':
      return `package ${formatBytes(count(result.sizeBytes))}, ${plural(count(result.entries), 'entry', 'entries')}, sha256 ${text(result.sha256)}${result.truncated === true ? ' (truncated to the size cap)' : ''}`;
    case 'stopAndQuarantineFile': {
      const items = list(result.items).map((i) => `${text(i.originalPath)} → ${text(i.quarantineId)}`);
      return `${plural(list(result.killed).length, 'process', 'processes')} stopped; quarantined: ${items.join(', ') || 'nothing'}`;
    }
    case 'restoreFromQuarantine':
      return `${text(result.quarantineId)} restored to ${text(result.restoredPath)}`;
    case 'offboard':
      return `${plural(count(result.restoredSettings), 'setting')} restored, ${count(result.failedSettings)} failed`;
    case 'updateSoftware': {
      const packages = list(result.packages).map(
        (p) => `${text(p.name)} ${text(p.before) || '—'} → ${text(p.after) || '—'}${p.fixed === true ? '' : ' (not fixed)'}`,
      );
      return [`${text(result.manager)}: ${packages.join(', ') || 'nothing updated'}`, text(result.instructions)].filter(Boolean).join('; ');
    }
    default:
      return '';
  }
}

/** Status with progress while running: "inProgress 40%". */
export function actionStatusText(action: Pick<MachineAction, 'status' | 'progress'> & Partial<Pick<MachineAction, 'lateResult'>>): string {
  if (action.status === 'inProgress' && action.progress !== null) return `inProgress ${action.progress}%`;
  // What the device really did after the action ended here (e.g. an isolate that ran although it was cancelled).
  return action.lateResult ? `${action.status} (device: ${action.lateResult.status})` : action.status;
}
