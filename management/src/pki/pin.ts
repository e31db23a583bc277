// The CA pin shown in onboarding packages: `sha256/<base64 of SHA-256 over the CA certificate DER>`.
import { createHash, X509Certificate } from 'node:crypto';

/** Pin of a PEM certificate (docs/protocol.md, "Transport and trust"). */
export function caPinOf(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  return `sha256/${createHash('sha256').update(der).digest('base64')}`;
}
