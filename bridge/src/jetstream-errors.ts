// Telling JetStream's answers apart where the bridge acts on them.
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** JetStream API error code for "stream name already in use" (not in JetStreamApiCodes). */
export const STREAM_NAME_IN_USE = 10058;

/** The stream is missing: it must be created (again) before a retry. */
export function isNoStream(err: unknown): boolean {
  if (err instanceof JetStreamApiError) return err.code === JetStreamApiCodes.StreamNotFound;
  // A publish to a subject no stream takes gets "no responders" from the server.
  return err instanceof Error && /no responders|stream not found/i.test(err.message);
}
