// A Lua script run by SHA, loaded on first use and again after Redis lost its script cache
// (a restart), so callers never see NOSCRIPT.
import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

export class LuaScript {
  readonly #sha: string;

  constructor(readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, 0, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, 0, ...args);
    }
  }

  /**
   * Queues the script in a transaction or pipeline. EVAL, not EVALSHA: a NOSCRIPT inside
   * MULTI would fail the whole transaction, and the script text is small.
   */
  queue(chain: ChainableCommander, args: readonly (string | number)[]): void {
    chain.eval(this.source, 0, ...args);
  }
}
