// Property tests against the real tools: thousands of generated version pairs (fast-check, fixed seed) ordered by our
// comparators and by Debian's `dpkg --compare-versions` and rpm's own comparison (`rpm.vercmp`, librpm's rpmverCmp,
// the function rpm's test suite checks with), one tool process per batch so a few thousand pairs take seconds; and
// our Debian parser accepts what dpkg accepts, on valid versions with one hostile edit.
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

// One shell reading one version per line: how dpkg judges it: "error", "invalid" (a bad character), "nodigit" (dpkg
// stops checking at "does not start with digit", so it says nothing about the characters) or "ok".
const DPKG_JUDGE_SCRIPT = `while IFS= read -r v; do
  msg=$(dpkg --compare-versions -- "$v" eq "$v" 2>&1); r=$?
  if [ $r -gt 1 ]; then echo error
  else case "$msg" in *"invalid character"*) echo invalid;; *"start with digit"*) echo nodigit;; *) echo ok;; esac; fi
done`;

// rpm's embedded Lua reading the same lines from stdin; pcall turns a version rpm refuses into "error".
const RPM_SCRIPT = `%{lua:
for line in io.lines() do
  local a, b = line:match("^(%S+) (%S+)$")
  local ok, r = pcall(rpm.vercmp, a, b)
  io.write(ok and tostring(r) or "error", "\\n")
end
}`;

/** Runs one tool process over every line; a missing tool fails the test with the reason and how to get it. */
function runTool(command: string, args: readonly string[], lines: readonly string[], pkg: string): string[] {
  let out: string;
  try {
    out = execFileSync(command, args, { input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${command} is not installed: the integration set-up installs Debian's ${pkg} package when run as root (apt-get install ${pkg}); install it to run this test`
        : `${command} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const answers = out.split('\n').filter((l) => l !== '');
  if (answers.length !== lines.length) throw new Error(`${command} answered ${answers.length} lines for ${lines.length} inputs`);
  return answers;
}

const asLines = (pairs: readonly (readonly [string, string])[]) => pairs.map(([a, b]) => `${a} ${b}`);

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
    const result = agreement('dpkg', pairs, runTool('sh', ['-c', DPKG_SCRIPT], asLines(pairs), 'dpkg'));
    console.info(`dpkg: ${pairs.length - result.mismatchCount} of ${pairs.length} pairs agree`, result.spread);
    expect(result.mismatches).toEqual([]);
    // Not vacuous: older, equal and newer all occur often.
    for (const count of Object.values(result.spread)) expect(count).toBeGreaterThan(100);
  });

  it('dpkg: 1,000 generated near-versions are accepted by us exactly when dpkg accepts them without error or bad character', () => {
    // A valid version with one hostile edit: characters dpkg refuses or warns about, misplaced separators, white space.
    const edits = ['_', '!', ' ', ':', '-', '::', '--', 'é', '\t', '', '0:', '-0', '~', '%', '/'];
    const near = fc.tuple(dpkgVersion, fc.constantFrom(...edits), fc.nat()).map(([v, edit, at]) => {
      const k = at % (v.length + 1);
      return `${v.slice(0, k)}${edit}${v.slice(k)}`.trim();
    });
    const versions = fc.sample(
      near.filter((v) => v !== '' && !v.includes('\n')),
      { seed: SEED, numRuns: 1000 },
    );
    const judged = runTool('sh', ['-c', DPKG_JUDGE_SCRIPT], versions, 'dpkg');
    const disagreements = versions.flatMap((v, k) => {
      if (judged[k] === 'nodigit') return [];
      const ours = valid('dpkg')([v, v]) ? 'ok' : 'refused';
      return (ours === 'ok') === (judged[k] === 'ok') ? [] : [`${JSON.stringify(v)}: ours ${ours}, dpkg ${judged[k]}`];
    });
    const refused = judged.filter((j) => j === 'error' || j === 'invalid').length;
    const judgedCount = judged.filter((j) => j !== 'nodigit').length;
    console.info(`dpkg validity: ${judgedCount - disagreements.length} of ${judgedCount} judged versions agree (${refused} refused by dpkg)`);
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(refused).toBeGreaterThan(200);
    expect(judgedCount - refused).toBeGreaterThan(200);
  });

  it('rpm: 10,000 generated EVR pairs ordered as rpm.vercmp (librpm) orders them', () => {
    const arb = pairsOf(rpmVersion, ['~', '^', '0', '1', 'a', '.', '_', '~rc1', '^git1', '.0']).filter(valid('rpm'));
    const pairs = fc.sample(arb, { seed: SEED, numRuns: 10_000 });
    const result = agreement('rpm', pairs, runTool('rpm', ['--eval', RPM_SCRIPT], asLines(pairs), 'rpm'));
    console.info(`rpm: ${pairs.length - result.mismatchCount} of ${pairs.length} pairs agree`, result.spread);
    expect(result.mismatches).toEqual([]);
    for (const count of Object.values(result.spread)) expect(count).toBeGreaterThan(400);
  });
});
