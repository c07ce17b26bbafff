// Where the audit trail lives: JetStream stream AUDIT with NATS (every backend instance
// writes and reads the same trail), a bounded list in memory in embedded mode.
import type { AuditEntry } from './audit-entry.js';

export interface AuditLog {
  /**
   * True when an entry written now would be kept. Actions are refused while it is false:
   * nothing is done that could not be audited.
   */
  ready(): Promise<boolean>;
  /** Keeps one entry; rejects when it could not be written. */
  append(entry: AuditEntry): Promise<void>;
  /** The `limit` newest entries, newest first. */
  newest(limit: number): Promise<AuditEntry[]>;
}

/** Embedded mode: the newest `max` entries, gone with the process. */
export class MemoryAuditLog implements AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  ready(): Promise<boolean> {
    return Promise.resolve(true);
  }

  append(entry: AuditEntry): Promise<void> {
    this.#entries.push(entry);
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max);
    return Promise.resolve();
  }

  newest(limit: number): Promise<AuditEntry[]> {
    return Promise.resolve(this.#entries.slice(-limit).reverse());
  }
}
