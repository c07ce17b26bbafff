import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedWrites } from './keyed-writes.js';

describe('KeyedWrites', () => {
  it('hands out writes in arrival order, one per key in flight', () => {
    const writes = new KeyedWrites<string>(10);
    writes.offer('a', 'a1');
    writes.offer('b', 'b1');
    const first = writes.next();
    expect(first).toEqual({ key: 'a', write: 'a1' });
    expect(writes.offer('a', 'a2')).toBe('queued'); // waits behind the one in flight
    expect(writes.next()).toEqual({ key: 'b', write: 'b1' });
    expect(writes.next()).toBeUndefined(); // a2 waits until a1 settles
    writes.settle('a', 'a1', true);
    expect(writes.next()).toEqual({ key: 'a', write: 'a2' });
  });

  it('replaces a waiting write with a newer one of the same key', () => {
    const writes = new KeyedWrites<string>(10);
    expect(writes.offer('a', 'a1')).toBe('queued');
    expect(writes.offer('a', 'a2')).toBe('replaced');
    expect(writes.size).toBe(1);
    expect(writes.next()).toEqual({ key: 'a', write: 'a2' });
  });

  it('retries a failed write unless a newer one of its key arrived', () => {
    const writes = new KeyedWrites<string>(10);
    writes.offer('a', 'a1');
    writes.offer('b', 'b1');
    const a = writes.next();
    const b = writes.next();
    writes.offer('b', 'b2');
    expect(writes.settle('a', a?.write ?? '', false)).toBe(true);
    expect(writes.settle('b', b?.write ?? '', false)).toBe(false);
    expect(writes.next()).toEqual({ key: 'b', write: 'b2' });
    expect(writes.next()).toEqual({ key: 'a', write: 'a1' });
  });

  it('refuses new keys beyond its bound, still takes newer writes of known keys', () => {
    const writes = new KeyedWrites<string>(2);
    writes.offer('a', 'a1');
    writes.offer('b', 'b1');
    expect(writes.offer('c', 'c1')).toBe('full');
    expect(writes.offer('b', 'b2')).toBe('replaced');
    writes.next();
    expect(writes.offer('c', 'c1')).toBe('full'); // a in flight still counts
    expect(writes.offer('a', 'a2')).toBe('queued'); // a's newest value is never refused
    expect(writes.size).toBe(2);
    writes.settle('a', 'a1', true);
    expect(writes.size).toBe(2);
    expect(writes.cancel('a')).toBe(true);
    expect(writes.size).toBe(1);
  });

  it('cancels a waiting write', () => {
    const writes = new KeyedWrites<string>(2);
    writes.offer('a', 'a1');
    expect(writes.cancel('a')).toBe(true);
    expect(writes.cancel('a')).toBe(false);
    expect(writes.size).toBe(0);
    expect(writes.next()).toBeUndefined();
  });

  it('property: the last write of every key lands, writes of one key never overlap', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('offer' as const), key: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('take' as const) }),
      fc.record({ kind: fc.constant('settle' as const), ok: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const writes = new KeyedWrites<number>(3);
        const stored = new Map<string, number>();
        const last = new Map<string, number>();
        const inFlight: { key: string; write: number }[] = [];
        let n = 0;
        const settleOne = (ok: boolean) => {
          const w = inFlight.shift();
          if (w === undefined) return;
          if (ok) stored.set(w.key, w.write);
          writes.settle(w.key, w.write, ok);
        };
        for (const o of ops) {
          if (o.kind === 'offer') {
            const key = String(o.key);
            const open = stored.get(key) !== last.get(key);
            if (writes.offer(key, ++n) === 'full') {
              // Only a key with nothing waiting or in flight is refused, and only when full.
              expect(open).toBe(false);
              expect(writes.size).toBe(3);
            } else last.set(key, n);
          } else if (o.kind === 'take') {
            const w = writes.next();
            if (w !== undefined) {
              expect(inFlight.some((f) => f.key === w.key)).toBe(false);
              inFlight.push(w);
            }
          } else settleOne(o.ok);
          // size = the keys whose last accepted value is not stored yet.
          const openKeys = [...last.keys()].filter((k) => stored.get(k) !== last.get(k));
          expect(writes.size).toBe(openKeys.length);
        }
        // Drain: everything eventually succeeds.
        for (;;) {
          while (inFlight.length > 0) settleOne(true);
          const w = writes.next();
          if (w === undefined) break;
          inFlight.push(w);
        }
        expect(writes.size).toBe(0);
        // A write older than a stored one never lands later: the store ends at the last value.
        expect(stored).toEqual(last);
      }),
    );
  });
});
