// WCAG 2 contrast between two sRGB colours, and the theme tokens read from theme.css — so
// a test can hold every text colour of both themes to 4.5:1 on every surface it sits on.

/** `#rgb` or `#rrggbb` → [r, g, b] in 0..255. */
export function parseHex(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`not a hex colour: ${hex}`);
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

function luminance([r, g, b]: [number, number, number]): number {
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: string, b: string): number {
  const [l1, l2] = [luminance(parseHex(a)), luminance(parseHex(b))].sort((x, y) => y - x);
  return (l1! + 0.05) / (l2! + 0.05);
}

/** `rgba(r, g, b, a)` drawn over the opaque `under` (`#hex`), as `#rrggbb`. */
export function composite(rgba: string, under: string): string {
  const m = /^rgba\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*([\d.]+)\s*\)$/.exec(rgba);
  if (m === null) throw new Error(`not an rgba colour: ${rgba}`);
  const alpha = Number(m[4]);
  const base = parseHex(under);
  return `#${base
    .map((b, i) => Math.round(Number(m[i + 1]) * alpha + b * (1 - alpha)))
    .map((v) => v.toString(16).padStart(2, '0'))
    .join('')}`;
}

/** The `--name: #hex;` (or `rgba(…)`) tokens of one `{ … }` block of theme.css whose selector has `marker`. */
export function themeTokens(css: string, marker: string): Map<string, string> {
  const block = new RegExp(`${marker.replace(/[[\]'()]/g, '\\$&')}[^{]*\\{([^}]*)\\}`).exec(css);
  if (block === null) throw new Error(`no block for ${marker}`);
  const tokens = new Map<string, string>();
  for (const m of block[1]!.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,6}|rgba\([^)]*\))\s*;/gi)) {
    tokens.set(m[1]!, m[2]!);
  }
  return tokens;
}
