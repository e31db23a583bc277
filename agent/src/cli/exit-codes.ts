// The agent's process exit codes (docs/install.md lists them): the shared contract of common/exit-codes.ts, re-exported
// where the agent has always imported it from. 0/1/2/64/75/78 keep their meaning; 65/69/70/73/77 refine former 1s.
export { EXIT, exitCodeFor, exitCodesHelp } from '../../../common/exit-codes.js';
