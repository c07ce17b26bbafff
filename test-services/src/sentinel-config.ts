export interface SentinelConfig {
  readonly port: number;
  readonly dir: string;
  readonly masterName: string;
  readonly masterPort: number;
  readonly quorum: number;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  /** The data nodes' password (`sentinel auth-pass`). */
  readonly masterPassword?: string | undefined;
  /** Clients and the other Sentinels must authenticate with this (`requirepass`). */
  readonly sentinelPassword?: string | undefined;
}

/**
 * The starting sentinel.conf. Sentinel rewrites the file as it learns (other Sentinels,
 * replicas, the current master), so a restarted Sentinel carries on where it was.
 */
export function sentinelConfig(config: SentinelConfig): string {
  const name = quoted(config.masterName);
  const lines = [
    'bind 127.0.0.1',
    `port ${config.port}`,
    `dir ${quoted(config.dir)}`,
    `sentinel monitor ${name} 127.0.0.1 ${config.masterPort} ${config.quorum}`,
    `sentinel down-after-milliseconds ${name} ${config.downAfterMs}`,
    `sentinel failover-timeout ${name} ${config.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${name} 1`,
  ];
  if (config.masterPassword !== undefined) {
    lines.push(`sentinel auth-pass ${name} ${quoted(config.masterPassword)}`);
  }
  // Sentinel also presents its own requirepass to the other Sentinels, so all share it.
  if (config.sentinelPassword !== undefined) {
    lines.push(`requirepass ${quoted(config.sentinelPassword)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A double-quoted config value, as Redis's config parser reads it back. */
export function quoted(value: string): string {
  const escaped = value
    .replace(/[\\"]/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `"${escaped}"`;
}
