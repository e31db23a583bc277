// The agent's own version, reported at enrollment and in every status report (kept equal to package.json by a test).
export const AGENT_VERSION = '0.1.0';
