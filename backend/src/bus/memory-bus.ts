// The embedded mode's in-process bus: NATS subject semantics and queue groups, no network.
import {
  BusRequestError,
  type Bus,
  type BusHandler,
  type BusResponder,
  type BusSubscription,
} from './bus.js';
import { subjectMatches } from './subject-match.js';

interface Subscription {
  subject: string;
  queue: string;
  handler: BusHandler;
}

const encoder = new TextEncoder();

export class MemoryBus implements Bus {
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;
  /** An in-process bus is never lost. */
  readonly lost = new Promise<Error>(() => undefined);
  #turn = 0;

  get connected(): boolean {
    return !this.#closed;
  }

  subscribe(subject: string, queue: string, handler: BusHandler): BusSubscription {
    const subscription: Subscription = { subject, queue, handler };
    this.#subscriptions.add(subscription);
    return {
      drain: () => {
        this.#subscriptions.delete(subscription);
        return Promise.resolve();
      },
    };
  }

  publish(subject: string, data: Uint8Array | string): void {
    if (this.#closed) return;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    const groups = new Map<string, Subscription[]>();
    for (const subscription of this.#subscriptions) {
      if (!subjectMatches(subscription.subject, subject)) continue;
      const members = groups.get(subscription.queue) ?? [];
      members.push(subscription);
      groups.set(subscription.queue, members);
    }
    for (const members of groups.values()) {
      const member = members[this.#turn++ % members.length];
      member?.handler(subject, bytes);
    }
  }

  readonly #responders = new Set<{ subject: string; queue: string; responder: BusResponder }>();

  /**
   * Answers requests on `subject` (one member of `queue` per request): the embedded demo's
   * stand-in for a bridge. (A real bridge answers over NATS itself.)
   */
  serve(subject: string, queue: string, responder: BusResponder): BusSubscription {
    const entry = { subject, queue, responder };
    this.#responders.add(entry);
    return {
      drain: () => {
        this.#responders.delete(entry);
        return Promise.resolve();
      },
    };
  }

  request(subject: string, data: string, timeoutMs: number): Promise<Uint8Array> {
    const members = [...this.#responders].filter((r) => subjectMatches(r.subject, subject));
    const member = members[this.#turn++ % Math.max(1, members.length)];
    if (this.#closed || member === undefined) {
      return Promise.reject(new BusRequestError('no_responders', `no responders on ${subject}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BusRequestError('timeout', `no answer on ${subject} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      member.responder(encoder.encode(data)).then(
        (answer) => {
          clearTimeout(timer);
          resolve(encoder.encode(answer));
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(new BusRequestError('failed', `request on ${subject} failed`, { cause: err }));
        },
      );
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
    this.#responders.clear();
    return Promise.resolve();
  }
}
