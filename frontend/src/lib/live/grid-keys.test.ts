import { describe, expect, it } from 'vitest';
import { cursorMove, SHORTCUTS } from './grid-keys.js';

describe('cursorMove', () => {
  it('starts at the first row from no selection', () => {
    expect(cursorMove('ArrowDown', -1, 10, 5)).toBe(0);
    expect(cursorMove('ArrowUp', -1, 10, 5)).toBe(0);
    expect(cursorMove('PageDown', -1, 10, 5)).toBe(0);
  });

  it('moves by one, by a page, to the ends, and stays inside the rows', () => {
    expect(cursorMove('ArrowDown', 3, 10, 5)).toBe(4);
    expect(cursorMove('ArrowUp', 3, 10, 5)).toBe(2);
    expect(cursorMove('ArrowDown', 9, 10, 5)).toBe(9);
    expect(cursorMove('ArrowUp', 0, 10, 5)).toBe(0);
    expect(cursorMove('PageDown', 3, 10, 5)).toBe(8);
    expect(cursorMove('PageDown', 8, 10, 5)).toBe(9);
    expect(cursorMove('PageUp', 3, 10, 5)).toBe(0);
    expect(cursorMove('Home', 7, 10, 5)).toBe(0);
    expect(cursorMove('End', 2, 10, 5)).toBe(9);
  });

  it('is not a move for other keys, nor in an empty table', () => {
    expect(cursorMove('Enter', 3, 10, 5)).toBeNull();
    expect(cursorMove('a', 3, 10, 5)).toBeNull();
    expect(cursorMove('ArrowDown', -1, 0, 5)).toBeNull();
  });

  it('lists every key with what it does', () => {
    expect(SHORTCUTS.map((s) => s.keys)).toContain('?');
    expect(SHORTCUTS.every((s) => s.what.length > 0)).toBe(true);
  });
});
