// Dark by default (control rooms are dim); light for desks by the window. Remembered per
// browser, applied to <html> so every surface switches at once.
export type Theme = 'dark' | 'light';

const KEY = 'live-calls:theme';

export class ThemeManager {
  #theme = $state<Theme>('dark');

  constructor() {
    const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') this.#theme = saved;
    this.#apply();
  }

  get theme(): Theme {
    return this.#theme;
  }

  toggle(): void {
    this.#theme = this.#theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(KEY, this.#theme);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    this.#apply();
  }

  #apply(): void {
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = this.#theme;
  }
}
