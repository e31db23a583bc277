// Defender for Endpoint on macOS: the antivirus, exclusion, EDR and tamper-protection settings as keys of the
// com.microsoft.wdav managed preferences (/Library/Managed Preferences/com.microsoft.wdav.plist, mde-domain.md §3.3),
// written as an XML property list, observed through `mdatp health`.
import { sleep, systemClock } from '../../../../common/clock.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { MDATP_PATHS } from '../mdatp/cli.js';
import { type Dict, isDict } from '../mdatp/document.js';
import { type DocumentCodec, ManagedConfigFile, rootOwnerWhenRoot } from '../mdatp/managed-config.js';
import { createMdatpProviders, MdatpHost, type MdatpProvider, type VerifyOptions } from '../mdatp/provider.js';
import { MDATP_KINDS } from '../mdatp/settings.js';
import { PlistNumber, parsePlist, serializePlist } from './plist.js';

export const MACOS_WDAV_MANAGED_PATH = '/Library/Managed Preferences/com.microsoft.wdav.plist';

function plainValue(value: unknown): unknown {
  if (value instanceof PlistNumber) return value.value;
  if (Array.isArray(value)) return value.map(plainValue);
  if (isDict(value)) return plainDict(value);
  return value;
}

function plainDict(dict: Dict): Dict {
  const out: Dict = {};
  for (const [key, item] of Object.entries(dict))
    Object.defineProperty(out, key, { value: plainValue(item), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The managed preferences as an XML property list; a top level other than a dictionary is refused. */
export const PLIST_CODEC: DocumentCodec = {
  name: 'XML property list',
  parse(text) {
    const doc = parsePlist(text);
    if (!isDict(doc)) throw new Error('the top level is not a <dict>');
    return doc;
  },
  serialize: (doc) => serializePlist(doc),
  plain: plainDict,
};

export interface MacosMdatpDeps {
  readonly runner: CommandRunner;
  readonly files: FileStore;
  /** Pause between health readings while mdatp picks up a change; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface MacosMdatpOptions {
  /** The managed preferences file (tests point it elsewhere). */
  readonly managedPath?: string;
  readonly mdatpPath?: string;
  /** Owner of the file; default root:wheel (0:0) when the agent runs as root, else the agent's own user. */
  readonly owner?: { readonly uid: number; readonly gid: number } | null;
  readonly verify?: VerifyOptions;
}

// No reload is forced after a write: there is no documented way to make mdatp re-read managed preferences, and the
// ways people use (killing cfprefsd, restarting wdavdaemon) disrupt other apps or protection. Instead every value
// health reports is polled after the write; if mdatp does not take it the setting is SETTING_NOT_ENFORCED with both
// values, never a silent success. macOS may rebuild /Library/Managed Preferences from installed profiles (e.g. when an
// MDM profile for com.microsoft.wdav arrives); the drift loop then finds and re-applies the values.

/** One provider per kind with macOS mdatp settings: antivirus, antivirusExclusions, edr and securityExperience. */
export function createMacosMdatpProviders(deps: MacosMdatpDeps, options: MacosMdatpOptions = {}): MdatpProvider[] {
  const owner = options.owner === undefined ? rootOwnerWhenRoot() : options.owner;
  const config = new ManagedConfigFile(
    {
      path: options.managedPath ?? MACOS_WDAV_MANAGED_PATH,
      codec: PLIST_CODEC,
      // 0644 root:wheel, as macOS writes managed preferences: readable by the apps they configure, changed by root only.
      write: { mode: 0o644, ...(owner ?? {}) },
      dirMode: 0o755,
    },
    deps.files,
  );
  const host = new MdatpHost({
    platform: 'macos',
    config,
    runner: deps.runner,
    mdatpPath: options.mdatpPath ?? MDATP_PATHS.macos,
    sleep: deps.sleep ?? ((ms) => sleep(systemClock, ms)),
    ...(options.verify ? { verify: options.verify } : {}),
  });
  return createMdatpProviders(host, MDATP_KINDS);
}
