// Enrollment through the real HTTPS server: failed enrollments are logged once (code and source address, never the
// token) and enrollment is rate-limited per source address with 429 RATE_LIMITED, the error envelope and Retry-After.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { validate } from '../../../common/validation.js';
import { ErrorResponse } from '../../../policy-schemas/src/index.js';
import { type RunningEndpoint, startEndpoint } from '../endpoint.js';
import { TestAdmin } from '../testing/admin-api.js';
import { errorCode, TestDevice } from '../testing/https-client.js';

let dir: string;
let endpoint: RunningEndpoint;
let admin: TestAdmin;
const clock = new ManualClock(Date.now());
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-enroll-limits-'));
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const enrollRateLimits = { perAddress: { burst: 2, perSecond: 1 / 60 }, global: { burst: 100, perSecond: 10 } };
  endpoint = await startEndpoint({ dataDir: dir, listenHost: '127.0.0.1', listenPort: 0, enrollRateLimits }, { logger, clock });
  admin = new TestAdmin(endpoint.url, endpoint.identity.caCertPem, (await readFile(join(dir, 'admin.token'), 'utf8')).trim());
});

afterAll(async () => {
  await endpoint.close();
  await rm(dir, { recursive: true, force: true });
});

const token = async () => (await admin.ok<{ enrollmentToken: string }>('POST', '/onboarding-packages', {})).enrollmentToken;
const enroll = (t: string) => new TestDevice(endpoint.url, endpoint.identity.caCertPem).enroll(t);
const logged = (message: string) => lines.filter((l) => l.message === message);

describe('enrollment', () => {
  it('logs a failed enrollment once with its code and address, never the token', async () => {
    const secret = `${await token()}x`;
    const res = await enroll(secret);
    expect(errorCode(res)).toBe('ENROLLMENT_TOKEN_INVALID');
    expect(logged('enrollment failed')).toEqual([
      expect.objectContaining({ component: 'enrollment', code: 'ENROLLMENT_TOKEN_INVALID', sourceAddress: '127.0.0.1' }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(secret.slice(0, 20));
  });

  it('refuses enrollments past the per-address limit with 429, the envelope and Retry-After, until tokens refill', async () => {
    const good = await token();
    // The failed attempt above used one of the two; this one uses the second.
    expect((await enroll(good)).status).toBe(201);
    const refused = await enroll(await token());
    expect(refused.status).toBe(429);
    expect(validate(ErrorResponse, refused.body, 'error').error.code).toBe('RATE_LIMITED');
    expect(refused.headers['retry-after']).toBe('60');
    expect((await enroll(await token())).status).toBe(429);
    expect(logged('enrollment rate limited')).toEqual([expect.objectContaining({ sourceAddress: '127.0.0.1', scope: 'address' })]);
    expect(logged('enrollment failed')).toHaveLength(1);

    await clock.advance(60_000);
    expect((await enroll(await token())).status).toBe(201);
  });
});
