// The tab's long-lived state, created once by the root layout and shared through Svelte
// context: the session, the single live stream, the theme. Pages never create their own.
import { getContext, setContext } from 'svelte';
import type { SessionManager } from './auth/session.svelte.js';
import type { LiveCalls } from './live/live-calls.svelte.js';
import type { ThemeManager } from './theme.svelte.js';

export interface AppContext {
  session: SessionManager;
  live: LiveCalls;
  theme: ThemeManager;
}

const KEY = Symbol('live-calls app');

export function setAppContext(app: AppContext): AppContext {
  return setContext(KEY, app);
}

export function getAppContext(): AppContext {
  const app = getContext<AppContext | undefined>(KEY);
  if (app === undefined) throw new Error('getAppContext() outside the root layout');
  return app;
}
