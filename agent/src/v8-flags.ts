// V8 settings of the agent process, set before any other module loads (main.ts imports this first), so they apply to
// dist/attache-agent.cjs and to the single executable alike (a Node 22 SEA cannot carry command-line flags).
import { setFlagsFromString } from 'node:v8';

/**
 * JavaScript runs in the interpreter only: no optimizing (TurboFan, Maglev) or baseline (Sparkplug) compilers. The
 * agent spends its life waiting on timers and sockets and its syncs are short; the compilers' code, their working
 * memory and the code they produce were ~10 MB of its idle resident memory and ~10 MB of its peak during a sync
 * (`npm run bench:agent-footprint`, BENCHMARKS.md). Not `--lite-mode`: set at run time it implies `--jitless`, and
 * the first WebAssembly compile (undici's HTTP parser behind `fetch`) would then abort the process. The endpoint and
 * the simulator keep the full JIT.
 *
 * `--bytecode-old-age=1`: bytecode of a function not run since the previous full GC is dropped at the next one (V8's
 * default waits 6 GCs, which an idle agent rarely reaches), so the start-up and sync code does not stay resident while
 * idle; a function run again is recompiled from source. ~2.5 MB less idle RSS after a few syncs, ~1 MB after the
 * benchmark's ten (BENCHMARKS.md, agent footprint).
 */
export const AGENT_V8_FLAGS = '--no-opt --no-maglev --no-sparkplug --optimize-for-size --bytecode-old-age=1';

setFlagsFromString(AGENT_V8_FLAGS);
