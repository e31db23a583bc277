// The version of this build of Attaché (agent, endpoint and admin CLI alike): kept equal to package.json by
// version.test.ts, a constant so the bundles and the single executables need no package.json at run time.
export const ATTACHE_VERSION = '0.1.0';
