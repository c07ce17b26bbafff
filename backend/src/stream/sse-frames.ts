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

export function retryFrame(ms: number): string {
  return `retry: ${ms}\n\n`;
}

/**
 * The snapshot body (docs/interface/http.md and sse.md) spliced from stored JSON without re-parsing it.
 * `reason` is omitted for the HTTP snapshot; sources only for roles that may see them.
 */
export function snapshotJson(
  snapshot: SnapshotData,
  showSources: boolean,
  serverTime: number,
  reason?: SnapshotReason,
): string {
  const head = `{"epoch":${JSON.stringify(snapshot.epoch)},"seq":${snapshot.seq},`;
  const why = reason === undefined ? '' : `"reason":"${reason}",`;
  const sources = showSources ? JSON.stringify(snapshot.sources) : '[]';
  return `${head}${why}"server_time":${serverTime},"calls":[${snapshot.callsJson}],"sources":${sources}}`;
}
