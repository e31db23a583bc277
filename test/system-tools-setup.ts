// Before the unit tests: the OS tools they need (a PostgreSQL to start scratch clusters from, for the store contract
// suite), installed when missing and possible. Cheap when everything is there.
import { ensureSystemTools } from '../scripts/system-tools.js';

export default function setup(): void {
  ensureSystemTools();
}
