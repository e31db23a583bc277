// Before the tests: the OS tools real-host tests drive (installed when missing and possible), then the bundles, so
// integration tests run the same files that ship.
import { buildAll } from '../scripts/build.js';
import { ensureSystemTools } from '../scripts/system-tools.js';

export default async function setup(): Promise<void> {
  ensureSystemTools();
  await buildAll();
}
