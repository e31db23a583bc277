// The OS tools some tests drive for real (nftables in network namespaces, the package builders, systemd-analyze, a
// scratch PostgreSQL cluster for the store contract suite, HAProxy in front of the simulator's endpoint replicas,
// chromium for the web console's browser tests).
// `npm test` installs the missing ones from Debian packages when it runs as root on Debian, so the README's test
// command works on a fresh machine; elsewhere the tests that need a tool fail naming it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Command → Debian package that provides it. */
export const SYSTEM_TOOLS: Readonly<Record<string, string>> = {
  nft: 'nftables',
  rpmbuild: 'rpm',
  'dpkg-deb': 'dpkg',
  'systemd-analyze': 'systemd',
  initdb: 'postgresql',
  haproxy: 'haproxy',
  chromium: 'chromium',
  // Advisory archives written by the tests (management/src/advisories/zip.test.ts).
  zip: 'zip',
};

/** Debian keeps PostgreSQL's initdb off PATH, in /usr/lib/postgresql/<version>/bin. */
function hasInitdb(): boolean {
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`));
}

function has(command: string): boolean {
  if (command === 'initdb' && hasInitdb()) return true;
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Installs the packages of missing tools with apt-get (root only); returns the tools still missing. */
export function ensureSystemTools(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string[] {
  const missing = Object.keys(SYSTEM_TOOLS).filter((c) => !has(c));
  if (missing.length === 0) return [];
  const packages = [...new Set(missing.map((c) => SYSTEM_TOOLS[c] as string))];
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    log(`system tools missing (${missing.join(', ')}); install ${packages.join(' ')} to run every test`);
    return missing;
  }
  log(`installing ${packages.join(' ')} for the tests that drive them`);
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'ignore', timeout: 600_000 });
  } catch (err) {
    log(`apt-get failed: ${(err as Error).message}`);
  }
  return missing.filter((c) => !has(c));
}
