// How a service finds and authenticates to NATS, read from its environment the same way by
// the backend and the bridge: NATS_URL (the servers of one cluster, comma-separated, with
// `user:pass@` or `token@` in the URL if wanted), or NATS_TOKEN, or NATS_CREDS (a .creds
// file: JWT and NKey seed), and NATS_CA (a private CA for `tls://`). Credentials are taken
// out of the URLs and handed to the client as options: nats.js drops them from a server URL.
import { SettingError, textSetting, urlSetting, type Env } from './settings.js';

export interface NatsSettings {
  /** Server URLs without credentials. */
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  /** Path of a .creds file, for the caller to read. */
  credsFile?: string;
  /** Path of a PEM CA bundle that signs the servers' certificates. */
  caFile?: string;
}

interface Credentials {
  user?: string;
  pass?: string;
  token?: string;
}

function sameCredentials(a: Credentials, b: Credentials): boolean {
  return a.user === b.user && a.pass === b.pass && a.token === b.token;
}

/** NATS_URL and the credential settings, or undefined when NATS_URL is unset and no fallback. */
export function natsSettings(env: Env, fallbackUrl?: string): NatsSettings | undefined {
  const raw = urlSetting(env, 'NATS_URL', ['nats:', 'tls:', 'ws:', 'wss:'], fallbackUrl);
  if (raw === undefined) {
    for (const name of ['NATS_TOKEN', 'NATS_CREDS', 'NATS_CA'])
      if (textSetting(env, name) !== undefined)
        throw new SettingError(name, 'needs NATS_URL (the servers to use it with)');
    return undefined;
  }
  const servers: string[] = [];
  let inUrl: Credentials | undefined;
  for (const part of raw.split(',')) {
    const url = new URL(part.trim());
    const found: Credentials = {};
    if (url.username !== '' && url.password === '') found.token = decodeURIComponent(url.username);
    else if (url.username !== '') {
      found.user = decodeURIComponent(url.username);
      found.pass = decodeURIComponent(url.password);
    }
    if (url.username !== '') {
      if (inUrl !== undefined && !sameCredentials(inUrl, found))
        throw new SettingError('NATS_URL', 'gives different credentials for different servers');
      inUrl = found;
    }
    url.username = '';
    url.password = '';
    servers.push(url.toString().replace(/\/$/, ''));
  }
  const settings: NatsSettings = { servers, ...inUrl };
  const token = textSetting(env, 'NATS_TOKEN');
  if (token !== undefined) {
    if (inUrl !== undefined)
      throw new SettingError('NATS_TOKEN', 'cannot be used with credentials in NATS_URL');
    settings.token = token;
  }
  const credsFile = textSetting(env, 'NATS_CREDS');
  if (credsFile !== undefined) {
    if (inUrl !== undefined || token !== undefined)
      throw new SettingError(
        'NATS_CREDS',
        'cannot be used with NATS_TOKEN or credentials in NATS_URL',
      );
    settings.credsFile = credsFile;
  }
  const caFile = textSetting(env, 'NATS_CA');
  if (caFile !== undefined) {
    if (!servers.every((server) => server.startsWith('tls:')))
      throw new SettingError('NATS_CA', 'needs tls:// servers in NATS_URL');
    settings.caFile = caFile;
  }
  return settings;
}

/** The servers for logs: no credentials. */
export function natsServersText(settings: NatsSettings): string {
  return settings.servers.join(',');
}
