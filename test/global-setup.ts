// Builds the bundles once before the tests, so integration tests run the same files that ship.
import { buildAll } from '../scripts/build.js';

export default async function setup(): Promise<void> {
  await buildAll();
}
