// SSE wire format. Payloads arrive already serialized (one JSON per event, shared by every
// client), so framing is string concatenation; JSON never contains a raw newline.
import { formatEventId, type SnapshotReason } from '@live-calls/protocol';
import type { LogEvent, SnapshotData } from '../store/live-store.js';
import { userView } from '../store/record-views.js';

export function eventFrame(event: string, data: string, id?: string): string {
  return id === undefined
    ? `event: ${event}\ndata: ${data}\n\n`
    : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/** A log event as one frame with its id; `redacted` frames the view of role `user`. */
export function logEventFrame(epoch: string, event: LogEvent, redacted: boolean): string {
  return eventFrame(
    event.name,
    redacted ? userView(event) : event.data,
    formatEventId(epoch, event.seq),
  );
}

/**
 * Log-event frames made once per view and shared by the streams that go live together. A
 * starting stream buffers the live events of its opening and frames them when it goes live:
 * 200 streams opened at once framed the same thousand events 200 times (~100 MB of strings
 * at 1,000 events/s). Kept by event, so a frame goes when its event does.
 */
export class SharedFrames {
  readonly #full = new WeakMap<LogEvent, string>();
  readonly #user = new WeakMap<LogEvent, string>();

  /** `logEventFrame(epoch, event, redacted)`, made at most once per event and view. */
  frame(epoch: string, event: LogEvent, redacted: boolean): string {
    const frames = redacted ? this.#user : this.#full;
    let frame = frames.get(event);
    if (frame === undefined) frames.set(event, (frame = logEventFrame(epoch, event, redacted)));
    return frame;
  }
}

export function retryFrame(ms: number): string {
  return `retry: ${ms}\n\n`;
}

/**
 * The snapshot body (docs/interface/http.md and sse.md) spliced from stored JSON without
 * re-parsing it, as three parts so the calls (the large one, shared by every stream of a
 * read) are written in slices and never copied whole: `head + calls + tail` is the JSON.
 * `reason` is omitted for the HTTP snapshot; sources only for roles that may see them; the
 * alarms as the store scoped them to the snapshot's company.
 */
export function snapshotParts(
  snapshot: SnapshotData,
  showSources: boolean,
  serverTime: number,
  reason?: SnapshotReason,
): { head: string; calls: Buffer; tail: string } {
  const why = reason === undefined ? '' : `"reason":"${reason}",`;
  const sources = showSources ? JSON.stringify(snapshot.sources) : '[]';
  return {
    head: `{"epoch":${JSON.stringify(snapshot.epoch)},"seq":${snapshot.seq},${why}"server_time":${serverTime},"calls":[`,
    calls: snapshot.callsJson,
    tail: `],"sources":${sources},"alarms":${JSON.stringify(snapshot.alarms)}}`,
  };
}

/** Bytes of a large body written at once: a slice is a view, not a copy. */
export const WRITE_SLICE = 64 * 1024;

/** `bytes` in slices of at most WRITE_SLICE bytes. */
export function* slices(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += WRITE_SLICE) yield bytes.subarray(at, at + WRITE_SLICE);
}
