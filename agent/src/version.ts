// The agent's own version, reported at enrollment and in every status report: the build's (common/version.ts).
import { ATTACHE_VERSION } from '../../common/version.js';

export const AGENT_VERSION = ATTACHE_VERSION;
