export type NatsAuth =
  { readonly user: string; readonly pass: string } | { readonly token: string };

export interface NatsNodeConfig {
  /** Unique in the cluster; JetStream clustering needs it. */
  readonly serverName: string;
  readonly clusterName: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /** HTTP monitoring (`/varz`, `/routez`, `/jsz`). */
  readonly monitorPort: number;
  /** The cluster ports of the other nodes. */
  readonly routePorts: readonly number[];
  readonly auth?: NatsAuth | undefined;
  /** JetStream with file storage here; without it, core NATS only. */
  readonly storeDir?: string | undefined;
}

/** A nats-server config file for one node of a cluster on 127.0.0.1. */
export function natsNodeConfig(config: NatsNodeConfig): string {
  const routes = config.routePorts.map((port) => quoted(`nats://127.0.0.1:${port}`));
  const lines = [
    `server_name: ${quoted(config.serverName)}`,
    `listen: ${quoted(`127.0.0.1:${config.clientPort}`)}`,
    `http: ${quoted(`127.0.0.1:${config.monitorPort}`)}`,
    'cluster {',
    `  name: ${quoted(config.clusterName)}`,
    `  listen: ${quoted(`127.0.0.1:${config.clusterPort}`)}`,
    `  routes: [${routes.join(', ')}]`,
    '}',
  ];
  const { auth } = config;
  // Client authorization only: routes between the nodes stay open on 127.0.0.1.
  if (auth !== undefined && 'token' in auth) {
    lines.push(`authorization { token: ${quoted(auth.token)} }`);
  } else if (auth !== undefined) {
    lines.push(`authorization { user: ${quoted(auth.user)}, password: ${quoted(auth.pass)} }`);
  }
  if (config.storeDir !== undefined) {
    lines.push(`jetstream { store_dir: ${quoted(config.storeDir)} }`);
  }
  return `${lines.join('\n')}\n`;
}

// nats-server reads double-quoted strings with JSON's escapes, and takes them literally
// (no $variable lookup).
function quoted(value: string): string {
  return JSON.stringify(value);
}
