import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerHeap } from './timer-heap.js';

describe('TimerHeap', () => {
  it('pops by due time, ties in insertion order, across interleaved pushes and pops', () => {
    const op = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant('pop' as const));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const heap = new TimerHeap<number>();
        const model: { due: number; id: number }[] = [];
        let id = 0;
        for (const o of ops) {
          if (o === 'pop') {
            model.sort((a, b) => a.due - b.due || a.id - b.id);
            const expected = model.shift();
            expect(heap.peekDue()).toBe(expected?.due ?? Number.POSITIVE_INFINITY);
            expect(heap.pop()).toBe(expected?.id);
          } else {
            heap.push(o, id);
            model.push({ due: o, id });
            id++;
          }
          expect(heap.size).toBe(model.length);
        }
      }),
    );
  });

  it('is empty when new', () => {
    const heap = new TimerHeap<string>();
    expect(heap.pop()).toBeUndefined();
    expect(heap.peekDue()).toBe(Number.POSITIVE_INFINITY);
  });
});
