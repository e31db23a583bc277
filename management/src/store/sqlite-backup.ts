// A consistent copy of the endpoint's SQLite database while `serve` may be writing to it: SQLite's online backup API
// (through better-sqlite3), copying every page in one step so the copy is one snapshot, then an integrity check.
import BetterSqlite3 from 'better-sqlite3';

/** Copies the database `file` to `destination` (which must not exist) and checks the copy; returns its page count. */
export async function backupSqliteDatabase(file: string, destination: string): Promise<number> {
  const source = new BetterSqlite3(file, { fileMustExist: true, timeout: 5000 });
  try {
    // All remaining pages per step: one read transaction covers the whole copy, so a write by the running endpoint
    // neither tears it nor restarts it (a stepwise backup restarts whenever another connection writes).
    const { totalPages } = await source.backup(destination, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
    const copy = new BetterSqlite3(destination, { fileMustExist: true, readonly: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy of ${file} fails SQLite's quick_check: ${String(check)}`);
    } finally {
      copy.close();
    }
    return totalPages;
  } finally {
    source.close();
  }
}
