// Tests of the stated hostname: real names pass unchanged, IDN becomes punycode, anything else becomes a hostname.
import { describe, expect, it } from 'vitest';
import { HOSTNAME_PATTERN } from '../../../policy-schemas/src/index.js';
import { statedHostname } from './hostname.js';

describe('statedHostname', () => {
  it('keeps real Windows, macOS and Linux hostnames as they are', () => {
    for (const name of ['DESKTOP-4F2K9QZ', 'Johns-MacBook-Pro.local', 'web-01.prod.example.com', 'build_agent_7', 'localhost']) {
      expect(statedHostname(name)).toBe(name);
    }
  });

  it('states an internationalised name in punycode and drops a trailing dot', () => {
    expect(statedHostname('müller-pc')).toBe('xn--mller-pc-65a');
    expect(statedHostname('host.example.com.')).toBe('host.example.com');
  });

  it('turns control, bidi and other characters into a hostname', () => {
    const stated = statedHostname("evil\x1b[2J\nFAKE\u202eROW ALICE'S PC");
    expect(stated).toMatch(new RegExp(HOSTNAME_PATTERN));
    expect(statedHostname('\u202e')).toMatch(new RegExp(HOSTNAME_PATTERN));
    expect(statedHostname('')).toBe('unnamed-host');
  });
});
