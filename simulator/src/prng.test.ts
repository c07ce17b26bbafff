import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = new Prng(seed);
      return Array.from({ length: 8 }, () => rng.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    // High bits of a large seed count.
    expect(draw(2 ** 40 + 1)).not.toEqual(draw(1));
  });

  it('keeps every draw in range', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: -50, max: 50 }), fc.nat(100), (seed, min, span) => {
        const rng = new Prng(seed);
        for (let i = 0; i < 50; i++) {
          const f = rng.float();
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThan(1);
          const n = rng.int(min, min + span);
          expect(Number.isInteger(n) && n >= min && n <= min + span).toBe(true);
          expect(rng.exponential(10)).toBeGreaterThanOrEqual(0);
          expect(rng.hex(13)).toMatch(/^[0-9a-f]{13}$/);
          expect(rng.digits(11)).toMatch(/^[0-9]{11}$/);
        }
      }),
    );
  });

  it('has the right means', () => {
    const rng = new Prng(7);
    const n = 100_000;
    let u = 0;
    let e = 0;
    let z = 0;
    for (let i = 0; i < n; i++) {
      u += rng.float();
      e += rng.exponential(5);
      z += rng.normal();
    }
    expect(u / n).toBeCloseTo(0.5, 2);
    expect(e / n).toBeGreaterThan(4.9);
    expect(e / n).toBeLessThan(5.1);
    expect(Math.abs(z / n)).toBeLessThan(0.02);
  });

  it('weighted() picks in proportion to the weights', () => {
    const rng = new Prng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[rng.weighted([1, 3, 6])]! += 1;
    expect(counts[0]! / 60_000).toBeCloseTo(1 / 6, 1);
    expect(counts[1]! / 60_000).toBeCloseTo(2 / 6, 1);
    expect(counts[2]! / 60_000).toBeCloseTo(3 / 6, 1);
  });
});
