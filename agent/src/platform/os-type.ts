// The OS edition the agent states in its inventory and that edition-limited settings (ASR rules) are judged by: one
// function, used by the device facts and the Windows Defender providers alike.
import type { OsType, Platform } from '../../../policy-schemas/src/index.js';

/**
 * The OS edition the agent states at enrollment, from Node's `os.version()` (on Windows the registry ProductName, e.g.
 * "Windows Server 2022 Datacenter" or "Windows 10 Enterprise"): `server` when it names a Server edition, else
 * `workstation`. macOS and Linux state none: macOS has no server edition, and Linux has no reliable marker
 * (`os.version()` is the kernel build string); the endpoint's `os` rule condition splits only Windows anyway.
 */
export function nativeOsType(platform: Platform, osVersionName: string): OsType | undefined {
  if (platform !== 'windows') return undefined;
  return osVersionName.includes('Server') ? 'server' : 'workstation';
}
