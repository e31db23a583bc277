// The daemon's identity at start: identity.json and device-key.pem, both required, checked against each other. A
// corrupt or mismatched pair cannot heal by restarting, so it is STATE_CORRUPT (exit 78: the service manager stops
// restarting) with the file named and the way out (enroll again with --force).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { privateKeyFromPem, rawPublicKey } from '../../../common/signing.js';
import type { AgentIdentity } from '../../../policy-schemas/src/index.js';
import type { StateStore } from '../state/state-store.js';

const REMEDY = 're-enroll this device with "attache-agent enroll --force --package <onboarding file>" (the old identity is replaced)';

export async function loadIdentity(store: StateStore, stateDir: string): Promise<{ identity: AgentIdentity; privateKey: KeyObject }> {
  let identity: AgentIdentity | undefined;
  try {
    identity = await store.readIdentity();
  } catch (err) {
    throw corrupt(err, `${join(stateDir, 'identity.json')}`);
  }
  if (!identity) throw new AttacheError('NOT_ENROLLED', `no device identity in ${stateDir}; run "attache-agent enroll --package <file>" first`);
  const keyFile = join(stateDir, 'device-key.pem');
  let privateKey: KeyObject;
  let pem: string | undefined;
  try {
    pem = await store.readPrivateKeyPem();
    privateKey = privateKeyFromPem(pem);
  } catch (err) {
    const e = toAttacheError(err);
    const why = e.code === 'STATE_CORRUPT' ? e.message : `device key ${keyFile} is not a valid PEM private key (${e.message})`;
    throw new AttacheError('STATE_CORRUPT', `${why}; ${REMEDY}`, { cause: err });
  }
  // A device-key rotation interrupted after the key file was replaced but before identity.json was (the next file still
  // holds that key): the rotation finishes it at start (enrollment/key-rotation.ts), so this pair is not corrupt.
  const midRotation = pem !== undefined && (await store.readNextKeyPem().catch(() => undefined)) === pem;
  if (privateKey.asymmetricKeyType !== 'ed25519' || (!midRotation && rawPublicKey(createPublicKey(privateKey)) !== identity.publicKey)) {
    throw new AttacheError('STATE_CORRUPT', `device key ${keyFile} does not belong to the identity in identity.json (device ${identity.deviceId}); ${REMEDY}`);
  }
  return { identity, privateKey };
}

function corrupt(err: unknown, file: string): AttacheError {
  const e = toAttacheError(err);
  const detail = e.code === 'STATE_CORRUPT' ? e.message : `${file} is unreadable (${e.message})`;
  return new AttacheError('STATE_CORRUPT', `${detail}; ${REMEDY}`, { cause: err, ...(e.details ? { details: e.details } : {}) });
}
