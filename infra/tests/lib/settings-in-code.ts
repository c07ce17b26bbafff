// The environment settings each service reads, taken from the code that reads them (each
// service parses its environment in one place), so an example file cannot fall behind.
import { readFileSync } from 'node:fs';
import { REPO } from './paths.js';

const SOURCES = {
  backend: ['backend/src/config.ts', 'protocol/src/nats-settings.ts', 'simulator/src/config.ts'],
  bridge: ['bridge/src/config.ts', 'protocol/src/nats-settings.ts', 'simulator/src/config.ts'],
} as const;

// A quoted UPPER_SNAKE name ('NATS_URL'), or a bare one the services read directly (env.HOST).
const QUOTED = /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|PORT|HOST|PBX)'/g;
const DIRECT = /\benv\.([A-Z][A-Z0-9_]*)/g;

export function settingsReadBy(service: keyof typeof SOURCES): Set<string> {
  const names = new Set<string>();
  for (const file of SOURCES[service]) {
    const text = readFileSync(`${REPO}${file}`, 'utf8');
    for (const pattern of [QUOTED, DIRECT])
      for (const match of text.matchAll(pattern)) names.add(match[1] as string);
  }
  return names;
}
