// Picks the risk signal sources for the host the agent runs on: the simulated host's state file, or the real OS
// (whose platform the host already carries: platform/ decided it).

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { systemClock } from '../../../common/clock.js';
import { agentPaths } from '../actions/native-responder.js';
import { FileHasher } from '../actions/processes/file-hasher.js';
import { SignerReader } from '../actions/processes/signer-reader.js';
import { FileQuarantine, QUARANTINE_DIR } from '../actions/quarantine.js';
import type { AgentHost } from '../platform/index.js';
import { INDICATORS_FILE } from '../providers/indicators/indicator-store.js';
import { NodeCommandRunner } from '../system/command-runner.js';
import { NodeFileStore } from '../system/file-store.js';
import { AGENT_VERSION } from '../version.js';
import { createNativeSources } from './native-sources.js';
import type { SignalSources } from './signal-sources.js';
import { createSimulatedSources } from './simulated-sources.js';

export interface SourceOptions {
  readonly stateDir: string;
  readonly hashMaxBytes: number;
  readonly onInvalidIndicator?: (message: string) => void;
}

/** The sources of this host. */
export function createSignalSources(host: AgentHost, options: SourceOptions): SignalSources {
  const files = new NodeFileStore();
  const indicatorsPath = join(options.stateDir, INDICATORS_FILE);
  const invalid = options.onInvalidIndicator ? { onInvalidIndicator: options.onInvalidIndicator } : {};
  if (host.simulated) return createSimulatedSources({ host: host.simulated, files, indicatorsPath, agentVersion: AGENT_VERSION, ...invalid });
  const runner = new NodeCommandRunner();
  return createNativeSources({
    platform: host.platform,
    facts: () => host.facts(AGENT_VERSION),
    runner,
    files,
    indicatorsPath,
    hasher: new FileHasher({ maxBytes: options.hashMaxBytes }),
    signers: new SignerReader({ platform: host.platform, runner }),
    quarantine: new FileQuarantine({ root: join(options.stateDir, QUARANTINE_DIR) }, { now: systemClock.now, newId: randomUUID }),
    ownExecutable: process.execPath,
    agentPaths: agentPaths(host.platform, options.stateDir, process.execPath),
    now: systemClock.now,
    ownPid: process.pid,
    kill: (pid) => process.kill(pid, 'SIGKILL'),
    ...invalid,
  });
}
