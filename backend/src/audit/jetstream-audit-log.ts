// The audit trail in JetStream stream AUDIT (subjects `audit.<action>`), bounded by count and
// age. Created on first need when missing; an existing stream is used as it is. Reading the
// newest N is one ordered consumer from the right sequence: no durable state on the server.
import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import {
  AUDIT_STREAM,
  AUDIT_SUBJECT_PREFIX,
  auditSubject,
  parseAuditEntry,
  type AuditEntry,
} from './audit-entry.js';
import type { AuditLog } from './audit-log.js';

export interface AuditStreamOptions {
  maxMsgs: number;
  maxAgeMs: number;
  replicas: number;
}

/** JetStream's "stream name already in use" (not in JetStreamApiCodes). */
const STREAM_NAME_IN_USE = 10058;
/** Each JetStream call of an audit write or read waits at most this long. */
const TIMEOUT_MS = 2_000;

export class JetStreamAuditLog implements AuditLog {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #opts: AuditStreamOptions;
  readonly #log: Logger;
  #ensured: Promise<void> | undefined;

  constructor(nc: NatsConnection, opts: AuditStreamOptions, log: Logger) {
    this.#nc = nc;
    this.#js = jetstream(nc, { timeout: TIMEOUT_MS });
    this.#opts = opts;
    this.#log = log;
  }

  async ready(): Promise<boolean> {
    try {
      await this.#ensure();
      return true;
    } catch (err) {
      this.#log.error({ err: String(err) }, `audit stream ${AUDIT_STREAM} unavailable`);
      return false;
    }
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#ensure();
    try {
      await this.#js.publish(auditSubject(entry.action), JSON.stringify(entry), {
        msgID: entry.request_id,
        timeout: TIMEOUT_MS,
      });
    } catch (err) {
      // Deleted under us: created again by the next attempt.
      this.#ensured = undefined;
      throw err;
    }
  }

  async newest(limit: number): Promise<AuditEntry[]> {
    await this.#ensure();
    const jsm = await jetstreamManager(this.#nc, { timeout: TIMEOUT_MS });
    const { state } = await jsm.streams.info(AUDIT_STREAM);
    if (state.messages === 0) return [];
    const last = state.last_seq;
    const start = Math.max(state.first_seq, last - limit + 1);
    const consumer = await this.#js.consumers.get(AUDIT_STREAM, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    const entries: AuditEntry[] = [];
    const messages = await consumer.fetch({
      max_messages: last - start + 1,
      expires: TIMEOUT_MS,
    });
    for await (const msg of messages) {
      const entry = parseAuditEntry(msg.json<unknown>());
      if (entry !== undefined) entries.push(entry);
      if (msg.seq >= last) break;
    }
    return entries.reverse();
  }

  #ensure(): Promise<void> {
    this.#ensured ??= this.#create().catch((err: unknown) => {
      this.#ensured = undefined;
      throw err;
    });
    return this.#ensured;
  }

  async #create(): Promise<void> {
    const jsm = await jetstreamManager(this.#nc, { timeout: TIMEOUT_MS });
    try {
      await jsm.streams.info(AUDIT_STREAM);
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) {
        throw err;
      }
    }
    try {
      await jsm.streams.add({
        name: AUDIT_STREAM,
        subjects: [`${AUDIT_SUBJECT_PREFIX}>`],
        storage: StorageType.File,
        max_msgs: this.#opts.maxMsgs,
        max_age: nanos(this.#opts.maxAgeMs),
        num_replicas: this.#opts.replicas,
      });
      this.#log.info({ stream: AUDIT_STREAM }, 'created the audit stream');
    } catch (err) {
      // Another backend instance created it first.
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    }
  }
}
