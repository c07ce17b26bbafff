import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composite, contrastRatio, parseHex, themeTokens } from './contrast.js';

const css = readFileSync(new URL('./theme.css', import.meta.url), 'utf8');
const THEMES = {
  dark: themeTokens(css, ":root[data-theme='dark']"),
  light: themeTokens(css, ":root[data-theme='light']"),
};

/** Every colour text is drawn in… */
const TEXT = [
  'text',
  'text-2',
  'muted',
  'accent',
  'ok',
  'warn',
  'bad',
  'phase-setup',
  'phase-ringing',
  'phase-answered',
  'phase-held',
  'phase-failed',
  'phase-ended',
];
/** …on every surface text sits on (rows: plain, hovered, selected). */
const SURFACES = ['bg', 'surface', 'surface-2', 'surface-3', 'row-hover', 'row-selected'];
/** Colours that tell states apart must not be near one another. */
const DISTINCT = ['phase-setup', 'phase-ringing', 'phase-answered', 'phase-held', 'phase-failed'];

function distance(a: string, b: string): number {
  const [x, y] = [parseHex(a), parseHex(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrastRatio('#000', '#fff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#fff', '#fff')).toBe(1);
    expect(composite('rgba(255, 255, 255, 0.5)', '#000000')).toBe('#808080');
  });

  for (const [name, tokens] of Object.entries(THEMES)) {
    it(`${name} theme: every text colour ≥ 4.5:1 on every surface`, () => {
      const failures: string[] = [];
      for (const text of TEXT) {
        for (const surface of SURFACES) {
          const [fg, bg] = [tokens.get(text), tokens.get(surface)];
          expect(fg, `--${text}`).toBeDefined();
          expect(bg, `--${surface}`).toBeDefined();
          const ratio = contrastRatio(fg!, bg!);
          if (ratio < 4.5) failures.push(`--${text} on --${surface}: ${ratio.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it(`${name} theme: every text colour ≥ 4.5:1 on a new row's glow at its brightest`, () => {
      const failures: string[] = [];
      for (const surface of ['bg', 'surface']) {
        const glow = composite(tokens.get('row-fresh')!, tokens.get(surface)!);
        for (const text of TEXT) {
          const ratio = contrastRatio(tokens.get(text)!, glow);
          if (ratio < 4.5)
            failures.push(`--${text} on --row-fresh over --${surface}: ${ratio.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it(`${name} theme: the offline band reads ≥ 4.5:1`, () => {
      expect(contrastRatio(tokens.get('stale-ink')!, tokens.get('stale-bg')!)).toBeGreaterThan(4.5);
    });

    it(`${name} theme: phase, hold and failure colours are far apart`, () => {
      for (const a of DISTINCT) {
        for (const b of DISTINCT) {
          if (a < b) {
            expect(distance(tokens.get(a)!, tokens.get(b)!), `${a} vs ${b}`).toBeGreaterThan(85);
          }
        }
      }
    });
  }
});
