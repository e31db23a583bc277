// The web console's built files as the endpoint serves them. From source (tsx, the tests) they are read from
// dist/console/, written by `npm run build`; in the dist/ bundles and the single executable the build replaces this
// module with the files themselves (scripts/build-console.ts, `embeddedConsole`).
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** One console file: its Content-Type and bytes. */
export interface ConsoleFileBody {
  readonly contentType: string;
  readonly body: Buffer;
}

const CONSOLE_DIR = resolve(import.meta.dirname, '../../../dist/console');
const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** The console's files by URL path (`index.html`, `assets/main-<hash>.js`); empty when the console was not built. */
export function loadConsoleBundle(): Map<string, ConsoleFileBody> {
  const files = new Map<string, ConsoleFileBody>();
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) {
        const path = relative(CONSOLE_DIR, full).split(sep).join('/');
        files.set(path, { contentType: TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(full) });
      }
    }
  };
  walk(CONSOLE_DIR);
  return files;
}
