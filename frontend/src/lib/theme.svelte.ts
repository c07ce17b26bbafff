// Dark by default (control rooms are dim); light for desks by the window. Remembered per
// browser, applied to <html> so every surface switches at once.
import { loadSetting, saveSetting } from './stored-settings.js';

export type Theme = 'dark' | 'light';

const SETTING = 'theme';

export class ThemeManager {
  #theme = $state<Theme>('dark');

  constructor() {
    const saved = loadSetting(SETTING);
    if (saved === 'light' || saved === 'dark') this.#theme = saved;
    this.#apply();
  }

  get theme(): Theme {
    return this.#theme;
  }

  toggle(): void {
    this.#theme = this.#theme === 'dark' ? 'light' : 'dark';
    saveSetting(SETTING, this.#theme);
    this.#apply();
  }

  #apply(): void {
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = this.#theme;
  }
}
