import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallTable, TOMBSTONE_TTL_MS, decide } from './reducer.js';
import type { CallRecord } from './record.js';
import { callHistoryArb, validRecordArb } from './testing/arbitraries.js';

const NOW = 1_700_000_000_000;

function finalState(events: CallRecord[]): CallRecord | undefined {
  const table = new CallTable();
  for (const event of events) table.apply(event, NOW);
  return table.get(events[0]!.id);
}

describe('decide', () => {
  const base = fc.sample(validRecordArb, { numRuns: 1, seed: 1 })[0]!;
  const at = (seq: number, phase: CallRecord['phase']): CallRecord => {
    const { end: _end, ...rest } = base;
    return phase === 'ended'
      ? { ...rest, seq, phase, end: { reason: 'bye' } }
      : { ...rest, seq, phase };
  };

  it('creates unknown calls, ended ones as tombstones', () => {
    expect(decide(undefined, at(1, 'setup'))).toBe('created');
    expect(decide(undefined, at(4, 'ended'))).toBe('ended');
  });

  it('orders by seq: higher updates, equal is a duplicate, lower is stale', () => {
    expect(decide(at(2, 'ringing'), at(3, 'answered'))).toBe('updated');
    expect(decide(at(2, 'ringing'), at(2, 'ringing'))).toBe('duplicate');
    expect(decide(at(2, 'ringing'), at(1, 'setup'))).toBe('stale');
    expect(decide(at(2, 'ringing'), at(5, 'ended'))).toBe('ended');
  });

  it('never resurrects an ended call, whatever the seq', () => {
    expect(decide(at(4, 'ended'), at(9, 'answered'))).toBe('stale');
    expect(decide(at(4, 'ended'), at(4, 'ended'))).toBe('duplicate');
  });
});

describe('CallTable', () => {
  it('converges: every permutation of a call history, with duplicates, ends in the in-order state', () => {
    fc.assert(
      fc.property(
        callHistoryArb.chain((history) =>
          fc.record({
            history: fc.constant(history),
            shuffled: fc.shuffledSubarray([...history, ...history, ...history], {
              minLength: 3 * history.length,
            }),
          }),
        ),
        ({ history, shuffled }) => {
          expect(finalState(shuffled)).toEqual(finalState(history));
          expect(finalState(history)).toEqual(history.at(-1));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('counts active calls and emits only on change', () => {
    fc.assert(
      fc.property(fc.array(callHistoryArb, { maxLength: 20 }), (histories) => {
        const table = new CallTable();
        const ids = new Set<string>();
        let emitted = 0;
        for (const history of histories) {
          for (const event of history) {
            const outcome = table.apply(event, NOW);
            if (outcome !== 'stale' && outcome !== 'duplicate') emitted++;
            expect(table.apply(event, NOW)).toBe('duplicate');
          }
          ids.add(history[0]!.id);
        }
        const expectedActive = [...ids].filter((id) => table.get(id)?.phase !== 'ended').length;
        expect(table.activeCount).toBe(expectedActive);
        expect([...table.active()].length).toBe(expectedActive);
        expect(emitted).toBeGreaterThanOrEqual(ids.size);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps tombstones for their TTL, then forgets them', () => {
    const [history] = fc.sample(
      callHistoryArb.filter((h) => h.at(-1)!.phase === 'ended'),
      { numRuns: 1, seed: 7 },
    );
    const table = new CallTable();
    for (const event of history!) table.apply(event, NOW);
    expect(table.sweep(NOW + TOMBSTONE_TTL_MS - 1)).toBe(0);
    expect(table.apply(history![0]!, NOW)).toBe('stale');
    expect(table.sweep(NOW + TOMBSTONE_TTL_MS)).toBe(1);
    expect(table.get(history![0]!.id)).toBeUndefined();
  });

  it('replace() swaps in a snapshot and clear() forgets tombstones', () => {
    const [a, b] = fc.sample(validRecordArb, { numRuns: 2, seed: 3 });
    const table = new CallTable();
    table.apply({ ...a!, phase: 'setup', end: undefined }, NOW);
    table.replace([{ ...b!, phase: 'answered' }]);
    expect(table.get(a!.id)).toBeUndefined();
    expect(table.activeCount).toBe(1);
    table.clear();
    expect(table.activeCount).toBe(0);
  });
});
