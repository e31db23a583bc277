#!/bin/sh
# Builds the signed, notarized installer on a Mac (Xcode command line tools):
#   ./build-pkg.sh ARCH VERSION          ARCH = arm64 | x64, from dist/bin/attache-agent-darwin-ARCH
# Signing is optional for a test build; set all three for a release:
#   ATTACHE_CODESIGN_ID="Developer ID Application: Example Corp (TEAMID)"
#   ATTACHE_INSTALLER_ID="Developer ID Installer: Example Corp (TEAMID)"
#   ATTACHE_NOTARY_PROFILE=profile-name   (xcrun notarytool store-credentials profile-name …)
# postject removed Node's own signature when it injected the agent: the binary MUST be signed again before it can
# run on Apple silicon (ad hoc `codesign --sign -` at least, Developer ID + hardened runtime for distribution).
set -eu
arch="${1:?usage: build-pkg.sh arm64|x64 VERSION}"
version="${2:?usage: build-pkg.sh arm64|x64 VERSION}"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/dist/packages"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

payload="$work/payload"
mkdir -p "$payload/usr/local/bin" "$payload/Library/LaunchDaemons" "$payload/etc/newsyslog.d" "$out"
cp "$repo/dist/bin/attache-agent-darwin-$arch" "$payload/usr/local/bin/attache-agent"
chmod 0755 "$payload/usr/local/bin/attache-agent"
cp "$here/com.attache.agent.plist" "$payload/Library/LaunchDaemons/"
cp "$here/com.attache.agent.newsyslog.conf" "$payload/etc/newsyslog.d/com.attache.agent.conf"
chmod 0644 "$payload/Library/LaunchDaemons/com.attache.agent.plist" "$payload/etc/newsyslog.d/com.attache.agent.conf"
plutil -lint "$payload/Library/LaunchDaemons/com.attache.agent.plist"

if [ -n "${ATTACHE_CODESIGN_ID:-}" ]; then
  codesign --force --timestamp --options runtime --entitlements "$here/entitlements.plist" \
    --identifier com.attache.agent --sign "$ATTACHE_CODESIGN_ID" "$payload/usr/local/bin/attache-agent"
else
  codesign --force --sign - "$payload/usr/local/bin/attache-agent"
fi
codesign --verify --verbose "$payload/usr/local/bin/attache-agent"

component="$work/attache-agent-component.pkg"
pkgbuild --root "$payload" --scripts "$here/scripts" --identifier com.attache.agent --version "$version" \
  --install-location / --ownership recommended "$component"

product="$out/attache-agent-$version-macos-$arch.pkg"
if [ -n "${ATTACHE_INSTALLER_ID:-}" ]; then
  productbuild --package "$component" --sign "$ATTACHE_INSTALLER_ID" "$product"
else
  productbuild --package "$component" "$product"
fi

if [ -n "${ATTACHE_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$product" --keychain-profile "$ATTACHE_NOTARY_PROFILE" --wait
  xcrun stapler staple "$product"
  spctl --assess --type install --verbose "$product"
fi
echo "$product"
