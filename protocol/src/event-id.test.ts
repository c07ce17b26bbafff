import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEventId, newEpoch, parseEventId } from './event-id.js';

describe('event ids', () => {
  it('round-trips every epoch and seq', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        (epoch, seq) => {
          expect(parseEventId(formatEventId(epoch, seq))).toEqual({ epoch, seq });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects garbage', () => {
    for (const text of [
      '',
      ':',
      'abc',
      'e:',
      ':5',
      'e:-1',
      'e:01',
      'e:1.5',
      'a b:1',
      'e:99999999999999999',
      undefined,
      null,
    ]) {
      expect(parseEventId(text)).toBeNull();
    }
  });

  it('makes valid, distinct epochs', () => {
    const a = newEpoch();
    const b = newEpoch();
    expect(parseEventId(`${a}:1`)).not.toBeNull();
    expect(a).not.toBe(b);
  });
});
