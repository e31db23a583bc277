// Signer certificate thumbprints of executables, for certificateThumbprint indicators. Windows: Authenticode through
// a constant PowerShell script (Get-AuthenticodeSignature), the paths as JSON on stdin, one call per check for every
// executable not yet cached (by path + mtime + size); only a `Valid` signature counts, so a tampered binary is never
// "allowed" by its former signer. Linux has no code signing and macOS signatures are not read (codesign leaf
// thumbprints are not implemented): there the indicator type is notApplicable (core/indicator-policy.ts says why).
import { stat } from 'node:fs/promises';
import type { Platform } from '../../../../policy-schemas/src/index.js';
import { SIGNER_NOT_APPLICABLE } from '../../core/indicator-policy.js';
import { ps, runPowerShell } from '../../providers/windows/powershell.js';
import type { CommandRunner } from '../../system/command-runner.js';

/** Constant script: `$in` is an array of paths; answers one {path, status, thumbprint} per path. */
export const AUTHENTICODE_SIGNERS = ps('authenticode-signers')`
@($in | ForEach-Object {
  $p = [string]$_
  try {
    $s = Get-AuthenticodeSignature -LiteralPath $p
    [ordered]@{ path = $p; status = [string]$s.Status; thumbprint = $(if ($s.SignerCertificate) { [string]$s.SignerCertificate.Thumbprint } else { $null }) }
  } catch {
    [ordered]@{ path = $p; status = 'Unreadable'; thumbprint = $null }
  }
})
`;

/** Most executables remembered; the oldest entry goes first beyond it. */
const CACHE_LIMIT = 10_000;
/** Paths per PowerShell call (keeps the stdin document and the run time bounded). */
const BATCH = 200;

/** Parses AUTHENTICODE_SIGNERS' result: path → upper-case thumbprint of a valid signature, undefined otherwise. */
export function parseSigners(result: unknown): Map<string, string | undefined> {
  const rows = Array.isArray(result) ? result : result && typeof result === 'object' ? [result] : [];
  const out = new Map<string, string | undefined>();
  for (const row of rows as Record<string, unknown>[]) {
    if (typeof row?.path !== 'string') continue;
    const thumb = typeof row.thumbprint === 'string' && /^[0-9A-Fa-f]{40}$/.test(row.thumbprint) ? row.thumbprint.toUpperCase() : undefined;
    out.set(row.path, row.status === 'Valid' ? thumb : undefined);
  }
  return out;
}

export class SignerReader {
  private readonly cache = new Map<string, { readonly key: string; readonly thumbprint: string | undefined }>();
  /** PowerShell runs (tests check the cache with it). */
  runs = 0;

  constructor(private readonly deps: { readonly platform: Platform; readonly runner: CommandRunner }) {}

  /** Thumbprints of the executables' valid signers; empty where the platform cannot read signatures. */
  async thumbprints(paths: readonly string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    if (SIGNER_NOT_APPLICABLE[this.deps.platform] !== undefined) return out;
    const keys = new Map<string, string>();
    for (const path of new Set(paths)) {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      const key = `${info.mtimeMs}:${info.size}`;
      const cached = this.cache.get(path);
      if (cached?.key === key) out.set(path, cached.thumbprint);
      else keys.set(path, key);
    }
    const todo = [...keys.keys()];
    for (let i = 0; i < todo.length; i += BATCH) {
      this.runs++;
      const answer = parseSigners(await runPowerShell(this.deps.runner, AUTHENTICODE_SIGNERS, todo.slice(i, i + BATCH), 60_000));
      for (const path of todo.slice(i, i + BATCH)) {
        const thumbprint = answer.get(path);
        out.set(path, thumbprint);
        this.cache.delete(path);
        this.cache.set(path, { key: keys.get(path) ?? '', thumbprint });
        if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
      }
    }
    return out;
  }
}
