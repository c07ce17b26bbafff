// The embedded mode's in-process bus: NATS subject semantics and queue groups, no network.
import type { Bus, BusHandler, BusSubscription } from './bus.js';
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

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
    return Promise.resolve();
  }
}
