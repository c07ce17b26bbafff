// The bridge's one NATS connection: the servers of one cluster and the credentials from
// protocol's natsSettings, handed to nats.js as options (nats.js ignores `user:pass@` in a
// server URL). Reconnects forever, also on the first connect, so a NATS that is still
// starting is waited for; a server that refuses the credentials twice in a row ends the
// attempt (nats.js gives up on a repeated authorization error), so a wrong password stops
// the bridge instead of retrying silently.
import { readFileSync } from 'node:fs';
import type { NatsSettings } from '@live-calls/protocol';
import {
  connect,
  credsAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';

/** Connection options for `settings`; reads the .creds file named by NATS_CREDS. */
function natsConnectOptions(settings: NatsSettings, name: string): ConnectionOptions {
  const { servers, user, pass, token, credsFile, caFile } = settings;
  return {
    servers: [...servers],
    name,
    ...(user === undefined ? {} : { user, pass: pass ?? '' }),
    ...(token === undefined ? {} : { token }),
    ...(credsFile === undefined
      ? {}
      : { authenticator: credsAuthenticator(readFileSync(credsFile)) }),
    ...(caFile === undefined ? {} : { tls: { caFile } }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
  };
}

export function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  return connect(natsConnectOptions(settings, name));
}
