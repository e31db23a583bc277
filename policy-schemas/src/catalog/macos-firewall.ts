// The macOS application firewall (kind `firewall`, ids `macosFirewall.<MDM payload key>`): the keys of Apple's
// com.apple.security.firewall payload that socketfilterfw can set and read back (mde-domain.md §5.3). Intune's macOS
// Firewall profile delivers that payload through MDM; the agent enforces the same keys locally on its Macs.
// Source: https://developer.apple.com/documentation/devicemanagement/firewall
import type { SettingDefinition } from './setting-definition.js';

const TOOL = '/usr/libexec/ApplicationFirewall/socketfilterfw';

function macFirewall(name: string, title: string, flag: string, def: boolean, note = ''): SettingDefinition {
  return {
    id: `macosFirewall.${name}`,
    kind: 'firewall',
    title,
    description: `macOS application firewall, socketfilterfw ${flag} (MDM payload com.apple.security.firewall ${name}).${note}`,
    platforms: ['macos'],
    type: 'boolean',
    default: def,
    source: `${TOOL} ${flag}`,
  };
}

/** How much the application firewall logs (socketfilterfw --setloggingopt; MDM payload key LoggingOption). */
const MAC_LOGGING_OPTION: SettingDefinition = {
  id: 'macosFirewall.LoggingOption',
  kind: 'firewall',
  title: 'Firewall logging detail',
  description:
    'macOS application firewall, socketfilterfw --setloggingopt (MDM payload com.apple.security.firewall LoggingOption). Takes effect while logging is on.',
  platforms: ['macos'],
  type: 'string',
  values: [
    { value: 'throttled', label: 'Throttled' },
    { value: 'brief', label: 'Brief' },
    { value: 'detail', label: 'Detail' },
  ],
  default: 'throttled',
  source: `${TOOL} --setloggingopt`,
};

// AllowSigned / AllowSignedApp (macOS 12.3+): "If missing from the payload, the system sets it to true", hence the
// defaults. The payload's per-app list (Applications: BundleID + Allowed) is not modelled: socketfilterfw takes
// application paths, not bundle identifiers.
const SIGNED_NOTE = ' macOS 12.3 and later; true when not managed.';

export const MACOS_FIREWALL_SETTINGS: readonly SettingDefinition[] = [
  macFirewall('EnableFirewall', 'Application firewall enabled', '--setglobalstate', false),
  macFirewall('BlockAllIncoming', 'Block all incoming connections', '--setblockall', false),
  macFirewall('EnableStealthMode', 'Stealth mode', '--setstealthmode', false),
  macFirewall('EnableLogging', 'Firewall logging', '--setloggingmode', false),
  MAC_LOGGING_OPTION,
  macFirewall('AllowSigned', 'Automatically allow built-in signed software', '--setallowsigned', true, SIGNED_NOTE),
  macFirewall('AllowSignedApp', 'Automatically allow downloaded signed software', '--setallowsignedapp', true, SIGNED_NOTE),
];
