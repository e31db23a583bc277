// Property tests against the real tools: thousands of generated version pairs (fast-check, fixed seed) ordered by our
// comparators and by Debian's `dpkg --compare-versions` and rpm's own comparison (`rpm.vercmp`, librpm's rpmverCmp,
// the function rpm's test suite checks with), one tool process per batch so a few thousand pairs take seconds.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, type VersionScheme } from './index.js';

const SEED = Number(process.env.ATTACHE_FUZZ_SEED ?? '1804') || 1804;

// One shell reading "a b" lines: -1, 0 or 1 per pair as dpkg orders them, "error" when dpkg refuses a version.
const DPKG_SCRIPT = `while read -r a b; do
  dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?
  if [ $r -eq 0 ]; then echo -1; continue; fi
  if [ $r -ne 1 ]; then echo error; continue; fi
  if dpkg --compare-versions "$a" gt "$b" 2>/dev/null; then echo 1; else echo 0; fi
done`;

// rpm's embedded Lua reading the same lines from stdin; pcall turns a version rpm refuses into "error".
const RPM_SCRIPT = `%{lua:
for line in io.lines() do
  local a, b = line:match("^(%S+) (%S+)$")
  local ok, r = pcall(rpm.vercmp, a, b)
  io.write(ok and tostring(r) or "error", "\\n")
end
}`;

/** Runs one tool process over every pair; a missing tool fails the test with the reason and how to get it. */
function runTool(command: string, args: readonly string[], pairs: readonly (readonly [string, string])[], pkg: string): string[] {
  let out: string;
  try {
    out = execFileSync(command, args, { input: pairs.map(([a, b]) => `${a} ${b}\n`).join(''), encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${command} is not installed: the integration set-up installs Debian's ${pkg} package when run as root (apt-get install ${pkg}); install it to run this test`
        : `${command} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const lines = out.split('\n').filter((l) => l !== '');
  if (lines.length !== pairs.length) throw new Error(`${command} answered ${lines.length} lines for ${pairs.length} pairs`);
  return lines;
}

/** Our answers beside the tool's; the disagreements (at most 20 shown) and how the answers were spread. */
function agreement(scheme: VersionScheme, pairs: readonly (readonly [string, string])[], tool: readonly string[]) {
  const mismatches: string[] = [];
  const spread = { '-1': 0, '0': 0, '1': 0 } as Record<string, number>;
  pairs.forEach(([a, b], k) => {
    const ours = String(compareVersions(scheme, a, b));
    if (ours !== tool[k]) mismatches.push(`${a} vs ${b}: ours ${ours}, tool ${tool[k]}`);
    else spread[ours] = (spread[ours] ?? 0) + 1;
  });
  return { mismatches: mismatches.slice(0, 20), mismatchCount: mismatches.length, spread };
}

/** Strings of tokens: short digit runs (leading zeros included), letters and separators, so pairs collide often. */
const tokens = (alphabet: readonly string[], max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: max }).map((t) => t.join(''));
const optional = (arb: fc.Arbitrary<string>, prefix: string, suffix: string) =>
  fc.option(arb, { freq: 2 }).map((v) => (v === null ? '' : `${prefix}${v}${suffix}`));

const DIGITS = ['0', '1', '2', '9', '10', '01', '00', '123'];
const DPKG_UPSTREAM = [...DIGITS, 'a', 'b', 'z', 'A', 'Z', 'rc', '.', '.', '+', '~', '~'];
const DPKG_REVISION = [...DIGITS, 'a', 'b', 'Z', 'deb', 'u', '.', '+', '~'];

/** Debian versions: optional epoch, upstream (with `-` and `:` only where dpkg reads them back), optional revision. */
const dpkgVersion = fc
  .tuple(
    optional(fc.constantFrom('0', '1', '2', '10', '01'), '', ':'),
    fc.constantFrom('0', '1', '2', '10', '1', '1', 'a', '~'),
    tokens(DPKG_UPSTREAM, 5),
    optional(tokens(DPKG_REVISION, 4), '-', ''),
    fc.constantFrom('', '', '', '-', ':'),
  )
  .map(([epoch, first, rest, revision, inner]) => {
    const extra = (inner === '-' && revision !== '') || (inner === ':' && epoch !== '') ? `${inner}1` : '';
    return `${epoch}${first}${rest}${extra}${revision}`;
  });

const RPM_PART = [...DIGITS, 'a', 'b', 'z', 'Z', 'rc', 'el', 'git', '.', '.', '_', '+', '~', '^'];
/** RPM EVRs: optional epoch, version, optional release, from rpmbuild's legal characters. */
const rpmVersion = fc
  .tuple(optional(fc.constantFrom('0', '1', '2', '10', '01'), '', ':'), tokens(RPM_PART, 6), optional(tokens(RPM_PART, 5), '-', ''))
  .map(([epoch, version, release]) => `${epoch}${version}${release}`);

/**
 * Pairs of four kinds: independent versions; a version beside a small edit of itself; one extending another; and a
 * version beside a spelling of the same value (a leading zero, an explicit 0 epoch), so equality is tested too.
 */
function pairsOf(version: fc.Arbitrary<string>, edits: readonly string[]): fc.Arbitrary<readonly [string, string]> {
  const edited = fc.tuple(version, fc.constantFrom(...edits), fc.nat()).map(([v, edit, at]) => {
    const k = at % (v.length + 1);
    return [v, `${v.slice(0, k)}${edit}${v.slice(k)}`] as const;
  });
  const same = version.map((v) => [v, v.includes(':') ? v.replace(/([^0-9]|^)([0-9])/, '$10$2') : `0:${v}`] as const);
  const extended = fc.tuple(version, version).map(([a, b]) => [a, `${a.split('-')[0]}${b}`] as const);
  return fc.oneof(fc.tuple(version, version), edited, extended, same);
}

const valid = (scheme: VersionScheme) => (pair: readonly [string, string]) => {
  try {
    compareVersions(scheme, pair[0], pair[1]);
    return true;
  } catch {
    return false;
  }
};

describe('version comparators agree with the real tools', () => {
  it('dpkg: 2,500 generated pairs ordered as `dpkg --compare-versions` orders them', () => {
    const arb = pairsOf(dpkgVersion, ['~', '0', '1', 'a', '.', '+', '~rc1', '.0', '-1']).filter(valid('dpkg'));
    const pairs = fc.sample(arb, { seed: SEED, numRuns: 2500 });
    const result = agreement('dpkg', pairs, runTool('sh', ['-c', DPKG_SCRIPT], pairs, 'dpkg'));
    console.info(`dpkg: ${pairs.length - result.mismatchCount} of ${pairs.length} pairs agree`, result.spread);
    expect(result.mismatches).toEqual([]);
    // Not vacuous: older, equal and newer all occur often.
    for (const count of Object.values(result.spread)) expect(count).toBeGreaterThan(100);
  });

  it('rpm: 10,000 generated EVR pairs ordered as rpm.vercmp (librpm) orders them', () => {
    const arb = pairsOf(rpmVersion, ['~', '^', '0', '1', 'a', '.', '_', '~rc1', '^git1', '.0']).filter(valid('rpm'));
    const pairs = fc.sample(arb, { seed: SEED, numRuns: 10_000 });
    const result = agreement('rpm', pairs, runTool('rpm', ['--eval', RPM_SCRIPT], pairs, 'rpm'));
    console.info(`rpm: ${pairs.length - result.mismatchCount} of ${pairs.length} pairs agree`, result.spread);
    expect(result.mismatches).toEqual([]);
    for (const count of Object.values(result.spread)) expect(count).toBeGreaterThan(400);
  });
});
