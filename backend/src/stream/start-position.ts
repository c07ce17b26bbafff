// How a stream starts (docs/interface/ordering.md): from the id the client resumes at, decide between a
// replay and a snapshot with its reason. Pure; the store answers the questions.
import { parseEventId, type EventPosition, type SnapshotReason } from '@live-calls/protocol';

export type StartRequest =
  { kind: 'snapshot'; reason: SnapshotReason } | { kind: 'resume'; from: EventPosition };

/** `lastEventId`: the Last-Event-ID header, else the `last_event_id` query parameter. */
export function startRequest(lastEventId: string | undefined): StartRequest {
  if (lastEventId === undefined || lastEventId === '')
    return { kind: 'snapshot', reason: 'initial' };
  const from = parseEventId(lastEventId);
  return from === null ? { kind: 'snapshot', reason: 'invalid_id' } : { kind: 'resume', from };
}
