// The one error output of every executable: human lines with details, escaped; or the ErrorResponse envelope.
import { describe, expect, it } from 'vitest';
import { ErrorResponse } from '../policy-schemas/src/index.js';
import { errorOutput, wantsJson } from './error-output.js';
import { AttacheError } from './errors.js';
import { validate } from './validation.js';

describe('errorOutput', () => {
  const e = new AttacheError('POLICY_INVALID', 'p.json is invalid: /settings/x \u001b[31mred', {
    details: [{ path: '/settings/x', message: 'must be integer' }],
  });

  it('prints `error CODE: message` and one indented line per detail, control characters made visible', () => {
    const text = errorOutput(e, false);
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^error POLICY_INVALID: p\.json is invalid: \/settings\/x .*red$/),
      '  /settings/x: must be integer',
      '',
    ]);
    expect(text).not.toContain('\u001b');
  });

  it('prints the ErrorResponse envelope on one line under --json', () => {
    const text = errorOutput(e, true);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(validate(ErrorResponse, JSON.parse(text), 'error')).toEqual({ error: { code: 'POLICY_INVALID', message: e.message, details: [...e.details] } });
  });

  it('sees --json before `--` only', () => {
    expect([wantsJson(['a', '--json']), wantsJson(['a', '--', '--json']), wantsJson(['a'])]).toEqual([true, false, false]);
  });
});
