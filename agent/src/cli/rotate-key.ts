// `attache-agent rotate-key`: through the running daemon (it signs with the key it holds), or by itself when no
// daemon runs. Either way the new key is made on this device and the old one is refused by the endpoint afterwards.
import { systemClock } from '../../../common/clock.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { privateKeyFromPem } from '../../../common/signing.js';
import type { ResolvedConfig } from '../config.js';
import { callDaemon } from '../daemon/control-client.js';
import { DeviceKeyRotator } from '../enrollment/key-rotation.js';
import { createLogger } from '../logging.js';
import { controlAddress, posixPermissions } from '../platform/index.js';
import { StateStore } from '../state/state-store.js';
import { EndpointClient } from '../transport/endpoint-client.js';

/** The device key id now registered and who rotated it. */
export interface RotateKeyResult {
  readonly keyId: string;
  readonly rotatedBy: 'daemon' | 'cli';
}

export async function rotateDeviceKeyCommand(config: ResolvedConfig, timeoutMs: number): Promise<RotateKeyResult> {
  try {
    const answer = await callDaemon(controlAddress(config.stateDir), { command: 'rotate-key' }, timeoutMs);
    if (!answer.ok) throw new AttacheError('INTERNAL', `${answer.code}: ${answer.message}`);
    if (!answer.keyId) throw new AttacheError('MESSAGE_INVALID', 'the daemon answered the rotate-key request without a key id');
    return { keyId: answer.keyId, rotatedBy: 'daemon' };
  } catch (err) {
    if (toAttacheError(err).code !== 'DAEMON_UNREACHABLE') throw err;
  }
  const store = new StateStore(config.stateDir, { posixPermissions: posixPermissions() });
  const identity = await store.readIdentity();
  if (!identity) throw new AttacheError('NOT_ENROLLED', `no device identity in ${config.stateDir}; run "attache-agent enroll --package <file>" first`);
  const client = new EndpointClient({
    endpointUrl: identity.endpointUrl,
    alternateEndpointUrls: identity.alternateEndpointUrls ?? [],
    caCertificate: identity.caCertificate,
    credentials: { deviceId: identity.deviceId, privateKey: privateKeyFromPem(await store.readPrivateKeyPem()) },
    timeoutMs,
  });
  try {
    const rotator = new DeviceKeyRotator(
      { rotateAfterDays: config.deviceKeyRotationDays },
      { store, client, identity, now: systemClock.now, logger: createLogger({ level: 'warn' }) },
    );
    return { keyId: (await rotator.rotate()).keyId, rotatedBy: 'cli' };
  } finally {
    client.close();
  }
}
