// A simulated host's state dir: the agent's real StateStore over memory files, counting queued reports (to prove none
// is lost), and refusing writes once the simulated agent process has crashed (a dead process writes nothing).
import { StateStore } from '../../../agent/src/state/state-store.js';
import type { FileStore } from '../../../agent/src/system/file-store.js';
import type { StatusReport } from '../../../policy-schemas/src/index.js';

/** A state store that tells the host which reports it queued (to prove none is lost). */
export class HostStateStore extends StateStore {
  constructor(
    dir: string,
    files: FileStore,
    private readonly onEnqueue: (reportId: string) => void,
  ) {
    super(dir, { posixPermissions: false, files });
  }

  override async enqueueReport(report: StatusReport, sequence: number): Promise<void> {
    await super.enqueueReport(report, sequence);
    this.onEnqueue(report.reportId);
  }
}

/**
 * The state dir as a crashed agent process sees it (nothing more is written once the process is gone) and as an agent
 * on a full disk sees it (every write fails with ENOSPC, as fs does).
 */
export function gatedFiles(files: FileStore, alive: () => boolean, diskFull: () => boolean = () => false): FileStore {
  const check = () => {
    if (!alive()) throw new Error('agent process is gone (simulated crash)');
  };
  const space = () => {
    if (diskFull()) throw Object.assign(new Error('ENOSPC: no space left on device, write (simulated full disk)'), { code: 'ENOSPC' });
  };
  return {
    ensureDir: (path, mode) => files.ensureDir(path, mode),
    setMode: (path, mode) => files.setMode(path, mode),
    mode: (path) => files.mode(path),
    read: (path) => files.read(path),
    list: (dir) => files.list(dir),
    async writeAtomic(path, data, options) {
      check();
      space();
      await files.writeAtomic(path, data, options);
    },
    async remove(path) {
      check();
      await files.remove(path);
    },
  };
}
