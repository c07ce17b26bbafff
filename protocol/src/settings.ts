// Reading settings from an environment, the one way every service does it: each reader
// takes the raw map, applies its default when the variable is unset or blank, and throws
// SettingError with one line naming the variable when the value is bad. Pure: the caller
// passes `process.env` once, at start.
import { SOURCE_PATTERN } from './record.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** LOG_LEVEL's words, the same for every service (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A bad setting; `setting` names the environment variable, the message is one line. */
export class SettingError extends Error {
  override readonly name = 'SettingError';

  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting} ${detail}`);
  }
}

/** A raw value as shown in an error: quoted, on one line, bounded. */
export function shownValue(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : String(raw);
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return `'${JSON.stringify(cut).slice(1, -1)}'`;
}

/** The trimmed value, or undefined when unset or blank. */
export function textSetting(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A whole number in [min, max]; plain digits only (no sign, exponent or hex). */
export function integerSetting(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = textSetting(env, name);
  if (raw === undefined) return fallback;
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SettingError(
      name,
      `must be an integer from ${min} to ${max}, got ${shownValue(raw)}`,
    );
  }
  return value;
}

/** A plain decimal above `above` and at most `max`. */
export function decimalSetting(
  env: Env,
  name: string,
  fallback: number,
  above: number,
  max: number,
): number {
  const raw = textSetting(env, name);
  if (raw === undefined) return fallback;
  const value = /^[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value > above && value <= max)) {
    throw new SettingError(
      name,
      `must be a number above ${above} and at most ${max}, got ${shownValue(raw)}`,
    );
  }
  return value;
}

/** One of a closed set of words. */
export function choiceSetting<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = textSetting(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new SettingError(name, `must be one of ${allowed.join(', ')}, got ${shownValue(raw)}`);
  }
  return raw as T;
}

/** A URL as an error may show it: whatever stands before an `@` (a password) is masked. */
function withoutUserinfo(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/]*@/, '$1…@');
}

/**
 * One URL, or a comma-separated list of them (the servers of one cluster), each with one
 * of `protocols` (`'nats:'`, `'redis:'`, …). Returns the raw text.
 */
export function urlSetting(
  env: Env,
  name: string,
  protocols: readonly string[],
  fallback?: string,
): string | undefined {
  const raw = textSetting(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  for (const part of raw.split(',')) {
    const shown = shownValue(withoutUserinfo(part.trim()));
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      throw new SettingError(name, `must be a URL, got ${shown}`);
    }
    if (!protocols.includes(url.protocol)) {
      const names = protocols.map((p) => p.slice(0, -1)).join(' or ');
      throw new SettingError(name, `must be a ${names} URL, got ${shown}`);
    }
  }
  return raw;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

function hostPort(name: string, raw: string): { host: string; port: number } {
  const match = HOST_PORT.exec(raw);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new SettingError(name, `must be host:port, got ${shownValue(raw)}`);
  }
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** `host:port` (an IPv6 host in brackets). */
export function hostPortSetting(
  env: Env,
  name: string,
  fallback: string,
): { host: string; port: number } {
  return hostPort(name, textSetting(env, name) ?? fallback);
}

/** A comma-separated list of `host:port`, or undefined when unset. */
export function hostPortListSetting(
  env: Env,
  name: string,
): { host: string; port: number }[] | undefined {
  const raw = textSetting(env, name);
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => hostPort(name, part.trim()));
}

/** A PBX source name (`[A-Za-z0-9_.-]{1,64}`), or `fallback` when unset. */
export function sourceSetting(env: Env, name: string, fallback: string): string {
  const raw = textSetting(env, name) ?? fallback;
  if (!SOURCE_PATTERN.test(raw)) {
    throw new SettingError(name, `must match [A-Za-z0-9_.-]{1,64}, got ${shownValue(raw)}`);
  }
  return raw;
}
