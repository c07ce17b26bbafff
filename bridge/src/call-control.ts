// Answers operator actions for this bridge's source (docs/interface/nats.md, call.control):
// core NATS request/reply on `call.control.<source>`. A request is checked whole, handed to
// the PBX source, and answered with its reply; the call's end itself goes out as an ordinary
// `call.ended` through the bridge's record path (event, state, CDR).
import { callControlSubject, parseControlRequest, type ControlReply } from '@live-calls/protocol';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { BridgeMetrics } from './metrics.js';
import type { PbxSource } from './pbx-source.js';

/** One bridge per source answers; a second one by mistake would not act twice on a request. */
const CONTROL_QUEUE_GROUP = 'bridge-control';

const decoder = new TextDecoder();

export class CallControl {
  readonly #subscription: Subscription;
  readonly #inflight = new Set<Promise<void>>();

  constructor(
    nc: NatsConnection,
    source: string,
    pbx: PbxSource,
    metrics: BridgeMetrics,
    log: Logger,
  ) {
    this.#subscription = nc.subscribe(callControlSubject(source), {
      queue: CONTROL_QUEUE_GROUP,
      callback: (err, msg) => {
        if (err !== null) return;
        const done = this.#handle(msg, source, pbx, metrics, log).finally(() =>
          this.#inflight.delete(done),
        );
        this.#inflight.add(done);
      },
    });
  }

  async #handle(
    msg: Msg,
    source: string,
    pbx: PbxSource,
    metrics: BridgeMetrics,
    log: Logger,
  ): Promise<void> {
    const parsed = parseControlRequest(source, decoder.decode(msg.data));
    let reply: ControlReply;
    if (!parsed.ok) {
      reply = { ok: false, error: { code: 'bad_request', message: parsed.message } };
      log.warn({ reason: parsed.message }, 'control request refused');
    } else {
      try {
        reply = await pbx.hangup(parsed.value);
      } catch (err) {
        log.error({ err }, 'hangup failed unexpectedly');
        reply = { ok: false, error: { code: 'pbx_error', message: 'hangup failed' } };
      }
    }
    metrics.controlRequests.inc({ result: reply.ok ? 'ok' : reply.error.code });
    // No reply subject: a plain publish, nobody to answer.
    if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(reply));
  }

  /** Takes no more requests and waits for those being answered. */
  async close(): Promise<void> {
    await this.#subscription.drain().catch(() => undefined);
    await Promise.allSettled(this.#inflight);
  }
}
