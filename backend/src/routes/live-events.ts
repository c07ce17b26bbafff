// The stream's named events for the OpenAPI document, which has no notion of SSE: the
// stream's operation lists them under `x-sse-events`. Typed against protocol's event map, so
// an event added there does not compile until it is described here (docs/interface/sse.md).
import {
  DEFAULT_STATS_INTERVAL_MS,
  isPrivileged,
  ROLES,
  type LiveEventName,
} from '@live-calls/protocol';
import { componentRef } from './schemas.js';

interface LiveEventDoc {
  /** Whether the event carries an `id:` (and so moves the resume position). */
  id: boolean;
  data: { $ref: string };
  roles?: readonly string[];
  every?: string;
  then?: string;
}

const callEvent: LiveEventDoc = { id: true, data: componentRef('CallRecord') };

export const LIVE_EVENTS_DOC = {
  connected: { id: false, data: componentRef('Connected') },
  snapshot: { id: true, data: componentRef('Snapshot') },
  'call.setup': callEvent,
  'call.ringing': callEvent,
  'call.answered': callEvent,
  'call.ended': callEvent,
  source: {
    id: true,
    data: componentRef('SourceStatus'),
    roles: ROLES.filter(isPrivileged),
  },
  stats: {
    id: false,
    data: componentRef('Stats'),
    every: `STATS_INTERVAL_MS (default ${DEFAULT_STATS_INTERVAL_MS} ms)`,
  },
  ping: { id: false, data: componentRef('Ping'), every: 'heartbeat_ms of `connected`' },
  'session.expired': {
    id: false,
    data: componentRef('SessionExpired'),
    then: 'the server closes the stream',
  },
  alarm: { id: true, data: componentRef('Alarm') },
} as const satisfies Record<LiveEventName, LiveEventDoc>;
