// The hostname the agent states to the endpoint: the OS's name in the form the endpoint accepts (HOSTNAME_PATTERN),
// so a host with an internationalised or unusual name still enrolls instead of being refused.
import { domainToASCII } from 'node:url';
import { HOSTNAME_PATTERN } from '../../../policy-schemas/src/index.js';

const HOSTNAME = new RegExp(HOSTNAME_PATTERN);

/**
 * `raw` unchanged when it already is a hostname; else its IDNA ASCII form (`müller-pc` → `xn--mller-pc-65a`); else
 * every other character replaced by `-` (a NetBIOS name such as `ALICE'S PC` → `ALICE-S-PC`), cut to 253 characters.
 */
export function statedHostname(raw: string): string {
  const name = raw.trim().replace(/\.+$/, '');
  if (HOSTNAME.test(name)) return name;
  const ascii = domainToASCII(name);
  if (ascii && HOSTNAME.test(ascii)) return ascii;
  const labels = name
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .split('.')
    .filter((label) => label.length > 0)
    .map((label) => label.slice(0, 63));
  const cleaned = labels.join('.').slice(0, 253).replace(/\.+$/, '');
  return cleaned || 'unnamed-host';
}
