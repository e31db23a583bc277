// Cross-compiles the Windows service wrapper (installers/windows/service/attache-service.c) with Debian's mingw-w64.
// Skipped with a message when the compiler is missing (`apt-get install gcc-mingw-w64-x86-64-win32`).
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const MINGW_CC = 'x86_64-w64-mingw32-gcc';
export const SERVICE_SOURCE = 'installers/windows/service/attache-service.c';

/** Builds `attache-service-win-x64.exe` into outDir; returns its path, or undefined when mingw-w64 is not installed. */
export async function buildWindowsService(options: { outDir: string; log?: (line: string) => void }): Promise<string | undefined> {
  const log = options.log ?? (() => {});
  const found = await run('sh', ['-c', 'command -v "$1"', 'sh', MINGW_CC]).then(
    () => true,
    () => false,
  );
  if (!found) {
    log(`attache-service-win-x64.exe: skipped, ${MINGW_CC} not installed (apt-get install gcc-mingw-w64-x86-64-win32)`);
    return undefined;
  }
  await mkdir(options.outDir, { recursive: true });
  const out = resolve(join(options.outDir, 'attache-service-win-x64.exe'));
  // Static libgcc: the wrapper must run on a bare Windows with nothing but the agent next to it.
  await run(MINGW_CC, ['-O2', '-Wall', '-Wextra', '-Werror', '-municode', '-static', '-s', '-o', out, resolve(SERVICE_SOURCE), '-ladvapi32']);
  log(`attache-service-win-x64.exe: built with ${MINGW_CC}`);
  return out;
}
