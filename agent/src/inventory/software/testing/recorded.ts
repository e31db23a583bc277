// Recorded output of the tools the software collectors run (abridged, from real machines), shared by the boundary and
// fuzz tests of agent/src/inventory/software/. Test support: product code never imports it.

/** /etc/os-release of Debian 12. */
export const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n';

/** Rocky Linux 9 `rpm -qa --qf RPM_QUERY_FORMAT` (abridged), plus a vendorless local package and a torn line. */
export const RPM_OUTPUT = [
  'openssl\t1\t3.0.7\t24.el9\tx86_64\tRocky Enterprise Software Foundation',
  'bash\t(none)\t5.1.8\t6.el9_1\tx86_64\tRocky Enterprise Software Foundation',
  'tzdata\t(none)\t2023c\t1.el9\tnoarch\tRocky Enterprise Software Foundation',
  'gpg-pubkey\t(none)\t350d275d\t6279464b\t(none)\t(none)',
  'local-tool\t(none)\t1.0\t1\tx86_64\t(none)',
  'torn-line\t(none)',
].join('\n');

/** `sw_vers` on macOS 14.6.1. */
export const SW_VERS_OUTPUT = 'ProductName:\t\tmacOS\nProductVersion:\t\t14.6.1\nBuildVersion:\t\t23G93\n';

/** Recorded on macOS 14.6.1 (abridged). */
export const SYSTEM_PROFILER_APPS = {
  SPApplicationsDataType: [
    {
      _name: 'Google Chrome',
      arch_kind: 'arch_arm_i64',
      lastModified: '2024-09-10T08:12:44Z',
      obtained_from: 'identified_developer',
      path: '/Applications/Google Chrome.app',
      signed_by: ['Developer ID Application: Google LLC (EQHXZ8M8AV)', 'Developer ID Certification Authority', 'Apple Root CA'],
      version: '128.0.6613.120',
    },
    {
      _name: 'Safari',
      arch_kind: 'arch_arm_i64',
      obtained_from: 'apple',
      path: '/Applications/Safari.app',
      signed_by: ['Software Signing', 'Apple Code Signing Certification Authority', 'Apple Root CA'],
      version: '17.6',
    },
    { _name: 'Homemade', arch_kind: 'arch_arm', obtained_from: 'unknown', path: '/Users/ada/Applications/Homemade.app' },
  ],
};

/** `pkgutil --pkg-info-plist <id>` as macOS 14 prints it. */
export function receiptPlist(id: string, version: string, location = '/'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>install-location</key>
	<string>${location}</string>
	<key>install-time</key>
	<integer>1725955200</integer>
	<key>pkg-version</key>
	<string>${version}</string>
	<key>pkgid</key>
	<string>${id}</string>
	<key>receipt-plist-version</key>
	<real>1</real>
	<key>volume</key>
	<string>/</string>
</dict>
</plist>
`;
}

/** Recorded from a Windows 11 Enterprise 23H2 machine (abridged). */
export const WINDOWS_RESULT = {
  os: {
    productName: 'Windows 10 Enterprise',
    displayVersion: '23H2',
    major: '10',
    minor: '0',
    currentVersion: '6.3',
    build: '22631',
    ubr: '4037',
    arch: 'AMD64',
  },
  apps: [
    {
      view: 'Registry32',
      name: 'Microsoft Edge',
      version: '128.0.2739.67',
      publisher: 'Microsoft Corporation',
      location: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application',
    },
    { view: 'Registry64', name: '7-Zip 23.01 (x64)', version: '23.01', publisher: 'Igor Pavlov', location: 'C:\\Program Files\\7-Zip\\' },
    { view: 'Registry64', name: 'Google Chrome', version: '128.0.6613.120', publisher: 'Google LLC', location: '' },
    { view: 'Registry64', name: 'Contoso Line-of-Business Tool', version: '', publisher: '', location: '' },
  ],
  hotfixes: [
    { id: 'KB5041585', description: 'Security Update' },
    { id: 'KB5027397', description: 'Update' },
  ],
  unreadable: 0,
  hotfixError: null,
};
