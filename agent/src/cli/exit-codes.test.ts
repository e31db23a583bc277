// The exit codes that service definitions branch on stay in step with the agent's: a code that restarting cannot fix
// is excluded from restarts in the systemd unit and treated as a clean stop by the Windows service wrapper.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from './exit-codes.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('exit codes', () => {
  it('keeps its documented codes: configuration, enrollment and corrupt state 78, a held state dir 75, already enrolled 1', () => {
    expect([exitCodeFor('CONFIG_INVALID'), exitCodeFor('NOT_ENROLLED'), exitCodeFor('STATE_CORRUPT')]).toEqual([78, 78, 78]);
    expect(exitCodeFor('DAEMON_ALREADY_RUNNING')).toBe(75);
    expect(exitCodeFor('ALREADY_ENROLLED')).toBe(1);
    expect([exitCodeFor('ENDPOINT_UNREACHABLE'), exitCodeFor('DAEMON_UNREACHABLE')]).toEqual([69, 69]);
  });

  it('the systemd unit and the Windows wrapper do not restart on the not-configured code', async () => {
    const unit = await readFile(join(ROOT, 'installers/linux/attache-agent.service'), 'utf8');
    expect(unit).toMatch(new RegExp(`^RestartPreventExitStatus=${EXIT.config}$`, 'm'));
    const wrapper = await readFile(join(ROOT, 'installers/windows/service/attache-service.c'), 'utf8');
    expect(wrapper).toContain(`#define EXIT_NOT_CONFIGURED ${EXIT.config}`);
  });
});
