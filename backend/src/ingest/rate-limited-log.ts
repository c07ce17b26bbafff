// Logs at most `perWindow` lines per window and then one summary of what was suppressed,
// so a flood of bad messages cannot flood the log.
import type { Logger } from '../logger.js';

export class RateLimitedLog {
  #windowStart = 0;
  #count = 0;
  #suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    if (now - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0) {
        this.log.warn({ suppressed: this.#suppressed }, `${message}: more suppressed`);
      }
      this.#windowStart = now;
      this.#count = 0;
      this.#suppressed = 0;
    }
    if (this.#count < this.perWindow) {
      this.#count++;
      this.log.warn(fields, message);
    } else {
      this.#suppressed++;
    }
  }
}
