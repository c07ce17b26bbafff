// SSE wire format. Payloads arrive already serialized (one JSON per event, shared by every
// client), so framing is string concatenation; JSON never contains a raw newline.
import type { SnapshotReason } from '@live-calls/protocol';
import type { SnapshotData } from '../store/live-store.js';

export function eventFrame(event: string, data: string, id?: string): string {
  return id === undefined
    ? `event: ${event}\ndata: ${data}\n\n`
    : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

export function retryFrame(ms: number): string {
  return `retry: ${ms}\n\n`;
}

/**
 * The snapshot body (CONTRACT §5 and §6) spliced from stored JSON without re-parsing it.
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
