// The one assembly of a device's antivirus scanner: mdatp on Linux and macOS, Microsoft Defender Antivirus on Windows.
// The platform is an argument (platform/ is the one place that reads process.platform).
import type { Platform } from '../../../../policy-schemas/src/primitives.js';
import { MDATP_PATHS } from '../../providers/mdatp/cli.js';
import { createMdatpScanner } from './mdatp.js';
import type { Scanner, ScannerDeps } from './scan.js';
import { createDefenderScanner } from './windows.js';

export type { Scanner, ScannerDeps, ScanResult, ScanType } from './scan.js';

/** ResponseHost.scan for `platform`: `(scanType, signal, progress) => Promise<ActionResultOf<'runAntivirusScan'>>`. */
export function createScanner(platform: Platform, deps: ScannerDeps): Scanner {
  switch (platform) {
    case 'linux':
      return createMdatpScanner(MDATP_PATHS.linux, deps);
    case 'macos':
      return createMdatpScanner(MDATP_PATHS.macos, deps);
    case 'windows':
      return createDefenderScanner(deps);
  }
}
