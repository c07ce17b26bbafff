// How a package's `pnpm start` runs its process, read from its package.json: the one place
// that says which environment and which Node flags a service runs with. The benchmark starts
// the backend with exactly these, and the systemd unit is checked against them, so the three
// cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartScriptError } from './errors.js';

export interface StartScript {
  /** `NAME=value` assignments before `node`. */
  readonly env: Readonly<Record<string, string>>;
  /** Node's own flags, between `node` and the entry. */
  readonly nodeArgs: readonly string[];
  /** The script Node runs, relative to the package. */
  readonly entry: string;
}

const ASSIGNMENT = /^([A-Z_][A-Z0-9_]*)=(\S*)$/;

export function parseStartScript(script: string): StartScript {
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let at = 0;
  for (let found; (found = ASSIGNMENT.exec(words[at] ?? '')) !== null; at++)
    env[found[1]!] = found[2]!;
  if (words[at] !== 'node')
    throw new StartScriptError(script, 'expected `node` after the environment');
  const nodeArgs: string[] = [];
  for (at++; words[at]?.startsWith('--'); at++) nodeArgs.push(words[at]!);
  const entry = words[at];
  if (entry === undefined) throw new StartScriptError(script, 'no entry after the flags');
  if (at !== words.length - 1) throw new StartScriptError(script, 'words after the entry');
  return { env, nodeArgs, entry };
}

/** The `start` script of the package in `packageDir`. */
export function readStartScript(packageDir: string): StartScript {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const script = manifest.scripts?.start;
  if (script === undefined) throw new StartScriptError('', `no start script in ${packageDir}`);
  return parseStartScript(script);
}
