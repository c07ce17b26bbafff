import { RespError, encodeCommand, parseReplies, type RespValue } from './resp.js';
import { tcpExchange } from './tcp-exchange.js';

export const COMMAND_TIMEOUT_MS = 5_000;

export interface RedisCommandOptions {
  /** Sent with AUTH first, on the same connection. */
  readonly password?: string | undefined;
  readonly timeoutMs?: number;
}

/**
 * One command on a fresh connection to redis-server or Sentinel on 127.0.0.1:port, for
 * the harness's own control commands (INFO, ROLE, SENTINEL …): tests use a real client.
 * An error reply rejects, naming the command and the server.
 */
export async function redisCommand(
  port: number,
  args: readonly string[],
  options: RedisCommandOptions = {},
): Promise<RespValue> {
  const commands = options.password === undefined ? [args] : [['AUTH', options.password], args];
  const received = await tcpExchange(
    port,
    commands.map(encodeCommand).join(''),
    (text) => parseReplies(Buffer.from(text), commands.length) !== undefined,
    options.timeoutMs ?? COMMAND_TIMEOUT_MS,
  );
  const replies = parseReplies(Buffer.from(received), commands.length) ?? [];
  for (const [index, reply] of replies.entries()) {
    if (reply instanceof RespError) {
      // Never repeat the password: AUTH is named, not shown.
      const command = index === 0 && commands.length === 2 ? 'AUTH' : args.join(' ');
      throw new Error(`127.0.0.1:${port} answered ${command} with ${reply.message}`);
    }
  }
  return replies.at(-1) ?? null;
}

/** The `field:value` lines of an INFO reply. */
export function infoField(info: RespValue, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  const prefix = `${field}:`;
  return info
    .split('\r\n')
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length);
}
