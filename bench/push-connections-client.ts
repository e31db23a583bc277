// The device side of bench/push-connections.bench.ts, in its own process so that its sockets do not count in the
// endpoint's memory: enrolls devices through the real enrollment API and opens one signed push WebSocket per device
// with the agent's PushClient. Driven over the IPC channel: `enroll`, `connect`, `stop`; answers with counts.
import type { KeyObject } from 'node:crypto';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { PushClient } from '../agent/src/transport/push-client.js';
import { enrollmentProofString, generateEd25519KeyPair, privateKeyFromPem, signBytes } from '../common/signing.js';
import type { OnboardingPackage } from '../policy-schemas/src/index.js';

/** Commands from the benchmark. */
export type ClientCommand =
  | { readonly type: 'enroll'; readonly pkg: OnboardingPackage; readonly count: number; readonly concurrency: number }
  | { readonly type: 'connect'; readonly upTo: number; readonly concurrency: number }
  | { readonly type: 'stop' };

/** Answers to the benchmark. */
export type ClientAnswer =
  | { readonly type: 'enrolled'; readonly count: number; readonly failed: number; readonly ms: number }
  | { readonly type: 'connected'; readonly open: number; readonly failed: number; readonly ms: number }
  | { readonly type: 'failed'; readonly message: string };

interface Device {
  readonly deviceId: string;
  readonly privateKey: KeyObject;
}

const devices: Device[] = [];
const pushes: PushClient[] = [];
let pkg: OnboardingPackage | undefined;

/** Runs `task(i)` for i in [from, to) with at most `concurrency` at once; returns how many threw. */
async function pool(from: number, to: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = from;
  let failed = 0;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      await task(i).catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return failed;
}

async function enrollAll(onboarding: OnboardingPackage, count: number, concurrency: number): Promise<ClientAnswer> {
  pkg = onboarding;
  const started = Date.now();
  const clients = Array.from(
    { length: concurrency },
    () => new EndpointClient({ endpointUrl: onboarding.endpointUrl, caCertificate: onboarding.caCertificate }),
  );
  const failed = await pool(0, count, concurrency, async (i) => {
    const keys = generateEd25519KeyPair();
    const privateKey = privateKeyFromPem(keys.privateKeyPem);
    const proof = signBytes(privateKey, enrollmentProofString(onboarding.enrollmentToken, keys.publicKey));
    const device = { hostname: `bench-${i}`, platform: 'linux' as const, osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0' };
    const answer = await (clients[i % concurrency] as EndpointClient).enroll({
      enrollmentToken: onboarding.enrollmentToken,
      publicKey: keys.publicKey,
      proof,
      device,
    });
    devices.push({ deviceId: answer.deviceId, privateKey });
  });
  for (const c of clients) c.close();
  return { type: 'enrolled', count: devices.length, failed, ms: Date.now() - started };
}

/** Opens push sockets for devices [pushes.length, upTo); each resolves on its first connect or first failure. */
async function connect(upTo: number, concurrency: number): Promise<ClientAnswer> {
  if (!pkg) throw new Error('connect before enroll');
  const { endpointUrl, caCertificate } = pkg;
  const started = Date.now();
  const failed = await pool(pushes.length, Math.min(upTo, devices.length), concurrency, (i) => {
    const device = devices[i] as Device;
    const client = new EndpointClient({ endpointUrl, caCertificate, credentials: device });
    return new Promise<void>((resolve, reject) => {
      const push = new PushClient(client, {
        onSync: () => {},
        onPolicies: () => {},
        onInvalidMessage: () => {},
        onState: (state, detail) => (state === 'connected' ? resolve() : reject(new Error(detail))),
      });
      pushes.push(push);
      push.start();
    });
  });
  return { type: 'connected', open: pushes.filter((p) => p.connected).length, failed, ms: Date.now() - started };
}

function answer(message: ClientAnswer): void {
  process.send?.(message);
}

process.on('message', (command: ClientCommand) => {
  if (command.type === 'stop') {
    for (const p of pushes) p.stop();
    process.disconnect?.();
    return;
  }
  const run = command.type === 'enroll' ? enrollAll(command.pkg, command.count, command.concurrency) : connect(command.upTo, command.concurrency);
  run.then(answer, (err: unknown) => answer({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
});
