// Live delivery of one log batch to every stream allowed to see its events. Each event is
// framed at most once per view (full, user) and shared; each client gets one coalesced
// write per batch.
import type { LogBatch } from '../store/live-store.js';
import type { ClientRegistry } from './client-registry.js';
import type { LiveClient } from './live-client.js';
import { logEventFrame } from './sse-frames.js';

export function fanOut(batch: LogBatch, clients: ClientRegistry): void {
  const { epoch, events } = batch;
  const first = events[0];
  const last = events.at(-1);
  if (first === undefined || last === undefined) return;
  // Full-view frames are needed by nearly every batch; user-view ones only when a user
  // client is touched, so they are made on demand, each at most once.
  const full = events.map((event) => logEventFrame(epoch, event, false));
  const user: (string | undefined)[] = [];
  const frameAt = (i: number, redacted: boolean): string =>
    redacted ? (user[i] ??= logEventFrame(epoch, events[i]!, true)) : full[i]!;

  // Clients that see everything and are exactly at the batch's start share one chunk, encoded
  // once: a string written to a socket is encoded again for each socket.
  let shared: Buffer | undefined;
  for (const client of clients.unscoped()) {
    if (!client.scope.redacted && client.awaits(epoch, first.seq)) {
      client.offerChunk((shared ??= Buffer.from(full.join(''))), last.seq);
    } else {
      for (let i = 0; i < events.length; i++)
        client.offer(epoch, events[i]!, frameAt(i, client.scope.redacted));
    }
    client.flush();
  }

  const touched = new Set<LiveClient>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const readers =
      event.name === 'source'
        ? clients.sourceReaders()
        : event.company === null
          ? undefined
          : clients.ofCompany(event.company);
    if (readers === undefined) continue;
    for (const client of readers) {
      if (client.scope.company_id === null) continue; // served above
      if (client.offer(epoch, event, frameAt(i, client.scope.redacted))) touched.add(client);
    }
  }
  for (const client of touched) client.flush();
}
