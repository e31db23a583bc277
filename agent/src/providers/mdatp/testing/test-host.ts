// Test wiring shared by the Linux and macOS mdatp provider tests: a memory file store that records write options, the
// emulated mdatp behind a ScriptedCommandRunner, and a sleep that only counts.
import { ScriptedCommandRunner } from '../../../system/command-runner.js';
import { MemoryFileStore, type WriteOptions } from '../../../system/file-store.js';
import { type DocumentCodec, ManagedConfigFile } from '../managed-config.js';
import { EmulatedMdatp, type EmulatedMdatpOptions } from './emulated-mdatp.js';

/** A MemoryFileStore that also remembers the options of every write. */
export class RecordingFileStore extends MemoryFileStore {
  readonly writes: { path: string; options: WriteOptions | undefined }[] = [];

  override async writeAtomic(path: string, data: string, options?: WriteOptions): Promise<void> {
    this.writes.push({ path, options });
    await super.writeAtomic(path, data, options);
  }
}

export interface TestHost {
  readonly files: RecordingFileStore;
  readonly mdatp: EmulatedMdatp;
  readonly runner: ScriptedCommandRunner;
  readonly sleeps: number[];
  readonly sleep: (ms: number) => Promise<void>;
  /** The argv of every mdatp command run so far. */
  mdatpCalls(): string[][];
}

/** A host with the managed file at `path` read by an independent emulated mdatp. */
export function testHost(
  platform: 'linux' | 'macos',
  path: string,
  codec: DocumentCodec,
  options: Omit<EmulatedMdatpOptions, 'platform' | 'config'> = {},
): TestHost {
  const files = new RecordingFileStore();
  // The emulator reads the file through its own instance, as the real daemon reads the file on disk.
  const mdatp = new EmulatedMdatp({ platform, config: new ManagedConfigFile({ path, codec, write: {}, dirMode: 0o755 }, files), ...options });
  const runner = new ScriptedCommandRunner(mdatp.respond);
  const sleeps: number[] = [];
  return {
    files,
    mdatp,
    runner,
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    mdatpCalls: () => runner.calls.filter((c) => c.file.endsWith('/mdatp')).map((c) => [...c.args]),
  };
}
