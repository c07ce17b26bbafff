// Who is signed in. The cookie is HttpOnly, so the browser asks the server (`/auth/me`)
// rather than reading a token; the role only shapes the UI — the server enforces scope.
import { backoffDelay, type Role, type Session } from '@live-calls/protocol';
import { ApiError, getJson, postJson } from '../api/http.js';
import { ME_PATH, takeFirstRead, type SnapshotAnswer } from '../first-read.js';
import { RECONNECT_BACKOFF } from '../live/live-connection.js';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-in'; session: Session }
  /** The server has no auth endpoints (yet): the wall works as an anonymous admin. */
  | { kind: 'anonymous'; session: Session }
  | { kind: 'signed-out'; message: string | null }
  /** The server could not be asked; `load()` runs again by itself at local ms `retryAt`. */
  | { kind: 'unreachable'; message: string; retryAt: number };

const ANONYMOUS: Session = Object.freeze({
  sub: 'anonymous',
  role: 'admin',
  company_id: null,
  exp: 0,
});

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  operator: 'Operator',
  noc: 'NOC',
  user: 'Company user',
};

export class SessionManager {
  #state = $state<SessionState>({ kind: 'loading' });
  /** Failed loads in a row: a wall started during an outage keeps asking, with back-off. */
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The snapshot read with the same cookie as the current session's `/auth/me`, not yet taken. */
  #firstSnapshot: Promise<SnapshotAnswer> | null = null;

  get state(): SessionState {
    return this.#state;
  }

  get session(): Session | null {
    const state = this.#state;
    return state.kind === 'signed-in' || state.kind === 'anonymous' ? state.session : null;
  }

  /**
   * The snapshot that was read alongside the check that found this session, once; null
   * when the session came from any later check (a sign-in, a retry) or it was taken.
   */
  takeFirstSnapshot(): Promise<SnapshotAnswer> | null {
    const snapshot = this.#firstSnapshot;
    this.#firstSnapshot = null;
    return snapshot;
  }

  /** Asks the server who we are (the first time, with the answer already on its way). */
  async load(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#firstSnapshot = null;
    const first = takeFirstRead();
    try {
      const session = await (first?.me ?? getJson<Session>(ME_PATH));
      this.#attempt = 0;
      this.#firstSnapshot = first?.snapshot ?? null;
      this.#state = { kind: 'signed-in', session };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401 || error.status === 404) this.#attempt = 0;
      if (error.status === 401) {
        // Keep a message an expiry left behind for the login page.
        const message = this.#state.kind === 'signed-out' ? this.#state.message : null;
        this.#state = { kind: 'signed-out', message };
      } else if (error.status === 404) {
        this.#firstSnapshot = first?.snapshot ?? null;
        this.#state = { kind: 'anonymous', session: ANONYMOUS };
      } else {
        this.#attempt++;
        const delay = backoffDelay(this.#attempt, RECONNECT_BACKOFF);
        this.#retryTimer = setTimeout(() => void this.load(), delay);
        this.#state = {
          kind: 'unreachable',
          message: error.status === 0 ? error.message : `The server answered ${error.status}.`,
          retryAt: Date.now() + delay,
        };
      }
    }
  }

  /** Signs in; resolves with an error message for the form, or null on success. */
  async login(username: string, password: string): Promise<string | null> {
    try {
      await postJson('/api/v1/auth/login', { username, password });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) return 'Wrong user name or password.';
      if (error.status === 429) return 'Too many attempts. Wait a minute, then try again.';
      if (error.status === 0) return error.message;
      return `Sign-in failed (${error.status}).`;
    }
    await this.load();
    return this.session === null ? 'Signed in, but the session was not accepted.' : null;
  }

  async logout(): Promise<void> {
    try {
      await postJson('/api/v1/auth/logout');
    } catch {
      // The cookie may already be gone; signing out locally is what matters.
    }
    this.#firstSnapshot = null;
    this.#state = { kind: 'signed-out', message: 'You signed out.' };
  }

  /** The server said the session is over (`session.expired` or a 401). */
  expire(message: string): void {
    this.#firstSnapshot = null;
    this.#state = { kind: 'signed-out', message };
  }
}
