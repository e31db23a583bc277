// A simulated host's state dir: the agent's real StateStore over memory files, counting queued reports (to prove none
// is lost), and refusing writes once the simulated agent process has crashed (a dead process writes nothing).
import type { StateFiles } from '../../../agent/src/state/state-files.js';
import { StateStore } from '../../../agent/src/state/state-store.js';
import type { StatusReport } from '../../../policy-schemas/src/index.js';

/** A state store that tells the host which reports it queued (to prove none is lost). */
export class HostStateStore extends StateStore {
  constructor(
    dir: string,
    files: StateFiles,
    private readonly onEnqueue: (reportId: string) => void,
  ) {
    super(dir, { posixPermissions: false, files });
  }

  override async enqueueReport(report: StatusReport, sequence: number): Promise<void> {
    await super.enqueueReport(report, sequence);
    this.onEnqueue(report.reportId);
  }
}

/** The state dir as a crashed agent process sees it: nothing more is written once the process is gone. */
export function gatedFiles(files: StateFiles, alive: () => boolean): StateFiles {
  const check = () => {
    if (!alive()) throw new Error('agent process is gone (simulated crash)');
  };
  return {
    mkdir: (path, options) => files.mkdir(path, options),
    chmod: (path, mode) => files.chmod(path, mode),
    readFile: (path, encoding) => files.readFile(path, encoding),
    readdir: (path) => files.readdir(path),
    async writeFileAtomic(path, data, mode) {
      check();
      await files.writeFileAtomic(path, data, mode);
    },
    async rm(path, options) {
      check();
      await files.rm(path, options);
    },
  };
}
