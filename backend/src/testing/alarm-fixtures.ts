// What the alarm suites share: an ALARMS_FILE with small thresholds, calls on its tiny trunk,
// and a stream's alarm events.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlarmPayload } from '@live-calls/protocol';
import { TestCall } from './call-factory.js';
import type { SseClient, SseEvent } from './sse-client.js';
import { payload } from './test-stack.js';

/** An ALARMS_FILE: trunk `tiny` holds 2 calls, any company attempt alarms, calls long after 60 s. */
export const ALARMS_FILE = join(mkdtempSync(join(tmpdir(), 'alarms-test-')), 'alarms.json');
writeFileSync(
  ALARMS_FILE,
  JSON.stringify({
    trunks: { tiny: { capacity: 2 } },
    rules: [
      { rule: 'company_cps_1m', warning: 0.01, critical: 1000 },
      { rule: 'long_call', warning: 60, critical: 3600 },
    ],
  }),
);

/** The id of the utilisation alarm of trunk `tiny`. */
export const TINY = 'trunk_utilisation:trunk:tiny';

/** A call on trunk `tiny`. */
export function tinyCall(company: string | null = 'acme'): TestCall {
  const call = new TestCall({ company });
  call.record.trunk = 'tiny';
  return call;
}

/** The `alarm` events a stream received (of one alarm id, when given). */
export function alarmEvents(c: SseClient, id?: string): SseEvent[] {
  return c.events.filter(
    (e) => e.event === 'alarm' && (id === undefined || payload<AlarmPayload>(e).id === id),
  );
}
