// The shared inventory finishing step: bounds, order, duplicates, the item cap, the digest and the upload gate.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../common/canonical-json.js';
import { validate } from '../../../../common/validation.js';
import { MAX_SOFTWARE_ITEMS, SOFTWARE_LIMITS, SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { boundItem, finishSoftwareInventory, type RawSoftwareItem, softwareDelta } from './software-inventory.js';

const AT = '2026-12-05T12:00:00.000Z';
const OS = { name: 'Debian GNU/Linux', version: '12' };
const pkg = (name: string, version = '1.0-1', extra: Partial<RawSoftwareItem> = {}): RawSoftwareItem => ({
  name,
  version,
  source: 'dpkg',
  scheme: 'dpkg',
  ...extra,
});

describe('finishSoftwareInventory', () => {
  it('orders items whatever order the tools listed them in, so the digest is the same', () => {
    const items = [pkg('zlib1g', '1:1.2.13.dfsg-1'), pkg('bash', '5.2.15-2+b2'), pkg('bash', '5.1.8-6.el9_1', { source: 'rpm', scheme: 'rpm' })];
    const a = finishSoftwareInventory({ os: OS, items }, AT);
    const b = finishSoftwareInventory({ os: OS, items: [...items].reverse() }, AT);
    expect(a.items.map((i) => `${i.name}/${i.source}`)).toEqual(['bash/dpkg', 'bash/rpm', 'zlib1g/dpkg']);
    expect(b).toEqual(a);
    expect(a.digest).toBe(createHash('sha256').update(canonicalJson(a.items)).digest('hex'));
    expect(validate(SoftwareInventory, a, 'software inventory')).toBe(a);
  });

  it('drops exact duplicates but keeps the same name installed twice (two architectures, two paths)', () => {
    const inv = finishSoftwareInventory(
      {
        os: OS,
        items: [
          pkg('libc6', '2.36-9', { architecture: 'amd64' }),
          pkg('libc6', '2.36-9', { architecture: 'i386' }),
          pkg('libc6', '2.36-9', { architecture: 'amd64' }),
        ],
      },
      AT,
    );
    expect(inv.items.map((i) => i.architecture)).toEqual(['amd64', 'i386']);
  });

  it('cuts at the cap after sorting and says so; exactly at the cap is not truncated', () => {
    const items = Array.from({ length: 12 }, (_, i) => pkg(`pkg-${String(11 - i).padStart(2, '0')}`));
    const cut = finishSoftwareInventory({ os: OS, items }, AT, 10);
    expect(cut.truncated).toBe(true);
    expect(cut.items.map((i) => i.name)).toEqual(Array.from({ length: 10 }, (_, i) => `pkg-${String(i).padStart(2, '0')}`));
    expect(finishSoftwareInventory({ os: OS, items: items.slice(0, 10) }, AT, 10).truncated).toBe(false);
    expect(finishSoftwareInventory({ os: OS, items: items.slice(0, 1), partial: true }, AT).truncated).toBe(true);
  });

  it('holds at most MAX_SOFTWARE_ITEMS, and the schema refuses one more', () => {
    const items = Array.from({ length: MAX_SOFTWARE_ITEMS + 5 }, (_, i) => pkg(`p${i}`));
    const inv = finishSoftwareInventory({ os: OS, items }, AT);
    expect(inv.items).toHaveLength(MAX_SOFTWARE_ITEMS);
    expect(inv.truncated).toBe(true);
    validate(SoftwareInventory, inv, 'software inventory');
    const over = { ...inv, items: [...inv.items, { name: 'extra', version: '1', source: 'dpkg', scheme: 'dpkg' }] };
    expect(() => validate(SoftwareInventory, over, 'software inventory')).toThrow(/items/);
  });
});

describe('boundItem (hostile strings are data)', () => {
  it('keeps control, escape and bidi characters, strips only NUL', () => {
    const hostile = 'evil\u001b[2J\u202egnp.exe\u0000tail';
    const item = boundItem({ name: hostile, version: '1.0\u0000', vendor: '\u0007Bell <b@example.org>', source: 'windowsRegistry', scheme: 'dotted' });
    expect(item).toEqual({
      name: 'evil\u001b[2J\u202egnp.exetail',
      version: '1.0',
      vendor: '\u0007Bell <b@example.org>',
      source: 'windowsRegistry',
      scheme: 'dotted',
    });
  });

  it('cuts every string at its limit in code points without splitting a surrogate pair', () => {
    const emoji = '\u{1F600}';
    const item = boundItem({
      name: emoji.repeat(SOFTWARE_LIMITS.name + 3),
      version: 'v'.repeat(500),
      vendor: 'x'.repeat(300),
      architecture: 'a'.repeat(40),
      installPath: 'C:\\'.repeat(600),
      source: 'windowsRegistry',
      scheme: 'dotted',
    });
    expect(Array.from(item?.name ?? '')).toHaveLength(SOFTWARE_LIMITS.name);
    expect(item?.name).toBe(`${emoji.repeat(SOFTWARE_LIMITS.name - 1)}…`);
    expect(item?.version).toHaveLength(SOFTWARE_LIMITS.version);
    expect(item?.version.endsWith('v…')).toBe(true);
    expect(item?.vendor).toHaveLength(SOFTWARE_LIMITS.vendor);
    expect(item?.architecture).toHaveLength(SOFTWARE_LIMITS.architecture);
    expect(item?.installPath).toHaveLength(SOFTWARE_LIMITS.installPath);
    const inv = finishSoftwareInventory({ os: OS, items: item ? [item] : [] }, AT);
    validate(SoftwareInventory, inv, 'software inventory');
  });

  it('states the source package and version only where they differ from the binary package', () => {
    const same = boundItem(pkg('openssl', '3.0.11-1~deb12u1', { sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u1' }));
    expect(same).toEqual({ name: 'openssl', version: '3.0.11-1~deb12u1', source: 'dpkg', scheme: 'dpkg' });
    const other = boundItem(pkg('bsdutils', '1:2.38.1-5+deb12u1', { sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' }));
    expect(other).toMatchObject({ sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' });
    const long = boundItem(pkg('x', '1', { sourceName: 's'.repeat(300), sourceVersion: 'v'.repeat(300) }));
    expect([long?.sourceName?.length, long?.sourceVersion?.length]).toEqual([SOFTWARE_LIMITS.sourceName, SOFTWARE_LIMITS.sourceVersion]);
  });

  it('leaves out nameless items and empty optional fields; a missing version is the empty string', () => {
    expect(boundItem(pkg('   '))).toBeUndefined();
    expect(boundItem(pkg('\u0000'))).toBeUndefined();
    expect(boundItem({ name: 'KB5034441', version: '', vendor: '', architecture: '', source: 'os', scheme: 'dotted' })).toEqual({
      name: 'KB5034441',
      version: '',
      source: 'os',
      scheme: 'dotted',
    });
  });
});

describe('softwareDelta', () => {
  it('uploads the first inventory and a changed one, not an unchanged one', () => {
    const first = finishSoftwareInventory({ os: OS, items: [pkg('openssl', '3.0.11-1~deb12u1')] }, AT);
    const again = finishSoftwareInventory({ os: OS, items: [pkg('openssl', '3.0.11-1~deb12u1')] }, '2026-12-06T12:00:00.000Z');
    const upgraded = finishSoftwareInventory({ os: OS, items: [pkg('openssl', '3.0.15-1~deb12u1')] }, AT);
    expect(softwareDelta(undefined, first)).toEqual({ upload: true, digest: first.digest });
    expect(softwareDelta(first.digest, again)).toEqual({ upload: false, digest: first.digest });
    expect(softwareDelta(first.digest, upgraded)).toEqual({ upload: true, digest: upgraded.digest });
  });
});
