// Fuzz: the endpoint's reading of agent push messages (WebSocket text): MESSAGE_INVALID naming the message, or an ack.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, FUZZ_RUNS, hostileJsonText, pathologicalTexts } from '../../../test/fuzz.js';
import { parseAgentMessage } from './push-route.js';

const ACK = { type: 'ack', requestId: '66666666-6666-4666-8666-666666666666' };

function check(text: string): void {
  const out = clearOutcome(parseAgentMessage, text);
  if (out.ok) expect(out.value.type).toBe('ack');
  else expect((out.error as { code?: string }).code).toBe('MESSAGE_INVALID');
}

describe('agent push messages under fuzzing', () => {
  it('mutated acks: MESSAGE_INVALID or an ack', () => {
    fc.assert(fc.property(hostileJsonText([ACK]), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(JSON.stringify(ACK)))('pathological text finishes clearly: $name', ({ text }) => check(text));
});
