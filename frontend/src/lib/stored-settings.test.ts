import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSetting, saveSetting } from './stored-settings.js';

/** The part of the browser's Storage the helper uses, kept in a Map. */
class MapStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('stored settings', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps each setting under the live-calls: prefix', () => {
    const storage = new MapStorage();
    vi.stubGlobal('localStorage', storage);
    expect(loadSetting('theme')).toBeNull();
    saveSetting('theme', 'light');
    expect(loadSetting('theme')).toBe('light');
    expect([...storage.items]).toEqual([['live-calls:theme', 'light']]);
  });

  it('reads nothing and keeps nothing without storage', () => {
    expect(typeof localStorage).toBe('undefined');
    expect(() => saveSetting('theme', 'light')).not.toThrow();
    expect(loadSetting('theme')).toBeNull();
  });

  it('survives storage that refuses (private mode, quota)', () => {
    const refusing = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    vi.stubGlobal('localStorage', refusing);
    expect(() => saveSetting('history:noc', '[]')).not.toThrow();
    expect(loadSetting('history:noc')).toBeNull();
  });
});
