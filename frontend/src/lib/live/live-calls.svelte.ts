// The tab's live state: the one owner of the live stream in a tab (browsers allow six
// HTTP/1.1 connections per origin, so never one per component). Events queue as they
// arrive and are applied once per animation frame; the sorted, filtered view is rebuilt a
// few times a second. How the stream is kept open (reconnects, back-off, online/offline)
// is LiveConnection's business; what it carries is this class's.
import type { Role, Session, SourceStatus, StatsPayload } from '@live-calls/protocol';
import { getJson } from '../api/http.js';
import { SNAPSHOT_PATH, type SnapshotAnswer } from '../first-read.js';
import { loadSetting, saveSetting } from '../stored-settings.js';
import { EMPTY_FILTER, type CallFilter } from './call-filter.js';
import { DEFAULT_SORT, type CallSort } from './call-sort.js';
import { NO_MARKS, type AlarmMarks, type ShownAlarm } from './alarm-board.js';
import { buildView, type CallView } from './call-view.js';
import {
  ConcurrencyHistory,
  mergeHistory,
  minuteSamples,
  type HistoryPoint,
  type MinuteSample,
} from './concurrency-history.js';
import type { ConnectionView } from './connection-tracker.js';
import { LiveConnection } from './live-connection.js';
import { LiveModel, type ListedCall } from './live-model.js';
import { isStale } from './stale-state.js';

/** The view is rebuilt at most this often while calls change. */
const REBUILD_EVERY_MS = 400;
/** Durations, ages and the badge refresh at this pace; seconds are all they show. */
const TICK_MS = 250;
/** A hidden tab gets no animation frames; it still drains its queue this often. */
const HIDDEN_FLUSH_MS = 1000;
/** Each user's concurrency curve is kept apart (`history:<user>|<role>|<company>`). */
const HISTORY_SETTING = 'history';
/** The server's minutes are fetched again this often (its CPS and ASR change per minute). */
const MINUTES_EVERY_MS = 60_000;

export interface LiveCallsOptions {
  /** The session ended under us (a `session.expired` event, or a 401 on reconnect). */
  onSessionExpired(message: string): void;
}

const EMPTY_VIEW: CallView = {
  rows: [],
  active: 0,
  phases: { setup: 0, ringing: 0, answered: 0 },
  companies: [],
  trunks: [],
  byCompany: new Map(),
  byTrunk: new Map(),
};

export class LiveCalls {
  readonly #model = new LiveModel();
  readonly #link: LiveConnection;
  readonly #history = new ConcurrencyHistory();
  readonly #options: LiveCallsOptions;

  #view = $state.raw<CallView>(EMPTY_VIEW);
  /** Bumped once per applied batch that touched calls: row components re-read records. */
  #version = $state(0);
  #now = $state(Date.now());
  #localNow = $state(Date.now());
  #connection = $state.raw<ConnectionView>(this.#model.connection.view(Date.now()));
  #sources = $state.raw<SourceStatus[]>([]);
  #alarms = $state.raw<ShownAlarm[]>([]);
  #alarmMarks = $state.raw<AlarmMarks>(NO_MARKS);
  #stats = $state.raw<StatsPayload | null>(null);
  #historyPoints = $state.raw<readonly HistoryPoint[]>([]);
  #minutes = $state.raw<readonly MinuteSample[]>([]);
  #minutesSpan = 30;
  #minutesAt = 0;
  #minutesRequest = 0;
  #merged = $derived(mergeHistory(this.#minutes, this.#historyPoints));
  #role = $state<Role | null>(null);

  #filter: CallFilter = EMPTY_FILTER;
  #sort: CallSort = DEFAULT_SORT;
  #viewDirty = true;
  #lastRebuild = 0;
  #frame = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #owner: string | null = null;
  #running = false;
  /** Bumped by every start and stop, so a first read that lands late is dropped. */
  #generation = 0;

  constructor(options: LiveCallsOptions) {
    this.#options = options;
    this.#link = new LiveConnection({
      event: (event) => {
        this.#model.enqueue(event);
        this.#scheduleFrame();
      },
      error: () => {
        this.#model.connection.onError(Date.now());
        this.#publishConnection();
      },
      network: (online) => {
        this.#model.connection.setBrowserOffline(!online);
        this.#publishConnection();
      },
      retryScheduled: (at) => {
        this.#model.connection.onRetryScheduled(at);
        this.#publishConnection();
      },
      sessionEnded: () => this.#expire('Your session ended. Sign in again to resume.'),
      lastEventId: () => this.#model.lastEventId,
    });
  }

  get view(): CallView {
    return this.#view;
  }
  /** Server time, ticking four times a second; frozen while the stream is not live. */
  get now(): number {
    return this.#now;
  }
  /** This browser's clock, on the same tick, for ages of local events. */
  get localNow(): number {
    return this.#localNow;
  }
  get connection(): ConnectionView {
    return this.#connection;
  }
  get sources(): SourceStatus[] {
    return this.#sources;
  }
  get stats(): StatsPayload | null {
    return this.#stats;
  }
  /** Active alarms (critical first), then the ones cleared in the last seconds. */
  get alarms(): ShownAlarm[] {
    return this.#alarms;
  }
  /** The trunks, companies and calls active alarms are about, for the table to mark. */
  get alarmMarks(): AlarmMarks {
    return this.#alarmMarks;
  }
  /** The concurrency curve: the server's minutes with this tab's finer samples on top. */
  get history(): readonly HistoryPoint[] {
    return this.#merged;
  }
  /** The server's per-minute samples of the chart's span (CPS and ASR trends). */
  get minutes(): readonly MinuteSample[] {
    return this.#minutes;
  }
  /** The role the stream was opened with (the server's word, not the UI's guess). */
  get role(): Role | null {
    return this.#role;
  }

  /** The latest version of a listed call; reactive on every applied batch. */
  get(id: string): ListedCall | undefined {
    void this.#version;
    return this.#model.listed.get(id);
  }

  /**
   * Starts (or resumes) streaming for a session. The same person coming back after an
   * expiry resumes from the last event id and keeps the table; anyone else starts clean,
   * so a company user never glimpses what the previous session could see. `firstSnapshot`
   * is a snapshot already asked for with this session's cookie (first-read.ts).
   */
  start(session: Session, firstSnapshot: Promise<SnapshotAnswer> | null = null): void {
    const owner = `${session.sub}|${session.role}|${session.company_id ?? ''}`;
    if (this.#owner !== owner) {
      this.#model.reset();
      this.#history.clear();
      this.#minutes = [];
      this.#minutesRequest++;
      this.#owner = owner;
      this.#history.restore(loadSetting(`${HISTORY_SETTING}:${owner}`), Date.now());
      this.#publishAll();
    }
    if (this.#running) return;
    this.#running = true;
    const generation = ++this.#generation;
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    void this.#openStream(generation, firstSnapshot);
    void this.#loadStats();
    void this.#loadMinutes();
  }

  /**
   * A tab with nothing yet reads the snapshot as a compressed JSON answer (a tenth of the
   * bytes of the same snapshot inside the stream), then opens the stream resuming from the
   * snapshot's id: every event after it is replayed, none is missed or doubled. Without
   * that answer (an error, an old backend) the stream brings its own snapshot.
   */
  async #openStream(
    generation: number,
    firstSnapshot: Promise<SnapshotAnswer> | null,
  ): Promise<void> {
    if (this.#model.lastEventId === null) {
      try {
        const snapshot = await (firstSnapshot ?? getJson<SnapshotAnswer>(SNAPSHOT_PATH));
        if (generation !== this.#generation) return;
        this.#model.enqueue({
          name: 'snapshot',
          data: { ...snapshot, reason: 'initial' },
          id: `${snapshot.epoch}:${snapshot.seq}`,
        });
        this.#flush();
      } catch {
        // The stream's own snapshot follows.
      }
    }
    if (generation === this.#generation) this.#link.start();
  }

  /** The chart's span in minutes: the server's history is fetched for as far back. */
  setHistorySpan(minutes: number): void {
    if (minutes === this.#minutesSpan) return;
    this.#minutesSpan = minutes;
    if (this.#running) void this.#loadMinutes();
  }

  /** Stops streaming but keeps the table, to resume after a new sign-in. */
  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#link.stop();
    clearInterval(this.#ticker);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  /** Stops and forgets everything (logout). */
  reset(): void {
    this.stop();
    this.#model.reset();
    this.#history.clear();
    this.#minutes = [];
    this.#minutesRequest++;
    this.#owner = null;
    this.#publishAll();
  }

  /** Reconnects now instead of waiting out the back-off (the offline band's button). */
  retryNow(): void {
    if (this.#running) this.#link.reconnectNow();
  }

  setQuery(filter: CallFilter, sort: CallSort): void {
    this.#filter = filter;
    this.#sort = sort;
    this.#rebuild(Date.now());
  }

  async #loadStats(): Promise<void> {
    try {
      const stats = await getJson<StatsPayload>('/api/v1/live/stats');
      // A stats event may have come first; it is newer.
      if (this.#model.stats === null) {
        this.#model.stats = stats;
        this.#stats = stats;
      }
    } catch {
      // The stream delivers stats every 5 s anyway.
    }
  }

  async #loadMinutes(): Promise<void> {
    const request = ++this.#minutesRequest;
    this.#minutesAt = Date.now();
    try {
      const raw = await getJson<unknown>(`/api/v1/live/history?window=${this.#minutesSpan}m`);
      // An answer for an older span (or an older session) must not land over a newer one.
      if (request === this.#minutesRequest) this.#minutes = minuteSamples(raw);
    } catch {
      // The tab's own samples still draw the curve; the next snapshot or minute tries again.
    }
  }

  #scheduleFrame(): void {
    if (this.#frame !== 0 || !this.#running) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#model.pending === 0) return;
    const now = Date.now();
    const result = this.#model.flush(now);
    if (result.calls) {
      this.#viewDirty = true;
      this.#version++;
    }
    if (result.sources) this.#sources = [...this.#model.sources.values()];
    if (result.alarms) this.#publishAlarms();
    if (result.stats) this.#stats = this.#model.stats;
    this.#publishConnection();
    // A snapshot replaces the table: show it at once rather than on the next rebuild tick.
    if (result.calls && this.#view.rows.length === 0) this.#rebuild(now);
    // A snapshot after a gap: the server knows the minutes this tab missed.
    if (result.snapshot) void this.#loadMinutes();
    if (result.sessionExpired) this.#expire('Your session expired. Sign in again to resume.');
  }

  #tick(): void {
    const local = Date.now();
    if (document.hidden && local - this.#lastRebuild >= HIDDEN_FLUSH_MS) this.#flush();
    if (this.#model.expire(local)) this.#viewDirty = true;
    if (this.#model.alarms.expire(local)) this.#publishAlarms();
    this.#localNow = local;
    const connection = this.#publishConnection();
    // Stale figures stay where they were when the stream was lost: durations that kept
    // counting would pretend the wall is live.
    if (!isStale(connection)) this.#now = this.#model.clock.now(local);
    if (connection.silent && this.#link.streaming) {
      // A proxy can keep a dead stream open; nothing for 2.5 heartbeats means reconnect.
      this.#model.connection.onError(local);
      this.#link.reconnectNow();
      this.#publishConnection();
    }
    if (this.#model.connection.view(local).state === 'live' && this.#model.clock.synced) {
      if (this.#history.add(this.#now, this.#model.table.activeCount)) {
        this.#historyPoints = [...this.#history.points];
        this.#saveHistory();
      }
    }
    if (!isStale(connection) && local - this.#minutesAt >= MINUTES_EVERY_MS) {
      void this.#loadMinutes();
    }
    if (this.#viewDirty && local - this.#lastRebuild >= REBUILD_EVERY_MS) this.#rebuild(local);
  }

  #rebuild(local: number): void {
    this.#viewDirty = false;
    this.#lastRebuild = local;
    this.#view = buildView(
      this.#model.listed.values(),
      this.#filter,
      this.#sort,
      this.#model.clock.now(local),
    );
  }

  #publishConnection(): ConnectionView {
    const view = this.#model.connection.view(Date.now());
    this.#connection = view;
    this.#role = this.#model.role;
    return view;
  }

  #publishAll(): void {
    this.#version++;
    this.#viewDirty = true;
    this.#rebuild(Date.now());
    this.#sources = [...this.#model.sources.values()];
    this.#publishAlarms();
    this.#stats = this.#model.stats;
    this.#historyPoints = [...this.#history.points];
    this.#publishConnection();
  }

  #publishAlarms(): void {
    this.#alarms = this.#model.alarms.list();
    this.#alarmMarks = this.#model.alarms.marks();
  }

  #saveHistory(): void {
    if (this.#owner === null) return;
    saveSetting(`${HISTORY_SETTING}:${this.#owner}`, this.#history.serialize());
  }

  #expire(message: string): void {
    // Drain what already arrived so a resume starts from the right id.
    if (this.#model.pending > 0) this.#model.flush(Date.now());
    this.stop();
    this.#options.onSessionExpired(message);
  }
}
