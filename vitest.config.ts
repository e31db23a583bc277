// Test runner configuration, two projects. `unit`: every *.test.ts beside the code, with only the OS tools installed
// first (PostgreSQL for the store contract suite; the fast inner loop, `npm run test:unit`). `integration`: the tests
// that need the bundles in dist/ or real OS tools, after test/global-setup.ts has built dist/ and installed the tools. `vitest run` (part of `npm test`) runs both.
import { defineConfig } from 'vitest/config';

/** Tests that need dist/ or real OS tools (nft in network namespaces, package builders, real processes). */
const INTEGRATION = ['**/*.integration.test.ts', 'agent/src/providers/linux/nftables.contract.test.ts'];
const EXCLUDE = ['node_modules/**', 'dist/**'];

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a UI or a service to get there, it measures nothing: 1 s (the default) is too short for a
    // browser sign-in (scrypt) on a loaded 2-core machine. Speed is measured by bench/, never here.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: [...EXCLUDE, ...INTEGRATION], globalSetup: ['./test/system-tools-setup.ts'] },
      },
      { extends: true, test: { name: 'integration', include: INTEGRATION, exclude: EXCLUDE, globalSetup: ['./test/global-setup.ts'] } },
    ],
  },
});
