// V8 settings of the agent process, set before any other module loads (main.ts imports this first), so they apply to
// dist/attache-agent.cjs and to the single executable alike (a Node 22 SEA cannot carry command-line flags).
import { setFlagsFromString } from 'node:v8';

/**
 * Lite mode: no optimizing or baseline compilers, feedback allocated lazily. The agent spends its life waiting on
 * timers and sockets, and its syncs are short; the optimizing compilers' code, their working memory and the code
 * they produce were ~10 MB of its idle resident memory and ~14 MB of its peak during a sync
 * (`npm run bench:agent-footprint`, BENCHMARKS.md). The endpoint and the simulator keep the full JIT.
 */
export const AGENT_V8_FLAGS = '--lite-mode';

setFlagsFromString(AGENT_V8_FLAGS);
