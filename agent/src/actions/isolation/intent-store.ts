// isolation.json in the agent's state dir (urn:attache:agent-isolation-state, 0600): the isolation the agent keeps in
// force until released. Written before the OS is touched, removed only after the rules are gone, so a crash between
// the two leaves an intent that the next start completes rather than a device isolated with no record of it.
import { join } from 'node:path';
import { AttacheError } from '../../../../common/errors.js';
import { parseJsonText } from '../../../../common/json-text.js';
import { validate } from '../../../../common/validation.js';
import { AgentIsolationState } from '../../../../policy-schemas/src/isolation.js';
import type { FileStore } from '../../system/file-store.js';

export const ISOLATION_FILE = 'isolation.json';

export class IsolationIntentStore {
  readonly path: string;
  constructor(
    stateDir: string,
    private readonly files: FileStore,
  ) {
    this.path = join(stateDir, ISOLATION_FILE);
  }

  /** The persisted isolation, or undefined when the device is not isolated; STATE_CORRUPT when unreadable. */
  async read(): Promise<AgentIsolationState | undefined> {
    let text: string | undefined;
    try {
      text = await this.files.read(this.path);
    } catch (err) {
      throw new AttacheError('STATE_CORRUPT', `${this.path} is unreadable`, { cause: err });
    }
    if (text === undefined) return undefined;
    return validate(AgentIsolationState, parseJsonText(text, this.path, 'STATE_CORRUPT'), ISOLATION_FILE, 'STATE_CORRUPT');
  }

  async write(state: AgentIsolationState): Promise<void> {
    validate(AgentIsolationState, state, ISOLATION_FILE);
    try {
      await this.files.writeAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    } catch (err) {
      throw new AttacheError('STATE_WRITE_FAILED', `cannot write ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async remove(): Promise<void> {
    try {
      await this.files.remove(this.path);
    } catch (err) {
      throw new AttacheError('STATE_WRITE_FAILED', `cannot remove ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }
}
