import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StartScriptError } from './errors.js';
import { parseStartScript, readStartScript } from './start-script.js';

describe('parseStartScript', () => {
  it('reads the environment, Node’s flags and the entry', () => {
    expect(parseStartScript('A_B=1 C=x node --one=1 --two dist/server.js')).toEqual({
      env: { A_B: '1', C: 'x' },
      nodeArgs: ['--one=1', '--two'],
      entry: 'dist/server.js',
    });
  });

  it('takes a bare `node entry`', () => {
    expect(parseStartScript('node dist/main.js')).toEqual({
      env: {},
      nodeArgs: [],
      entry: 'dist/main.js',
    });
  });

  it.each([
    ['tsx src/main.ts', /expected `node`/],
    ['node --flag', /no entry/],
    ['node dist/main.js --port 1', /words after the entry/],
    ['A=1 && node dist/main.js', /expected `node`/],
  ])('refuses %j', (script, message) => {
    expect(() => parseStartScript(script)).toThrow(StartScriptError);
    expect(() => parseStartScript(script)).toThrow(message);
  });
});

describe('readStartScript', () => {
  it('reads the backend’s own start script', () => {
    const backend = fileURLToPath(new URL('../../backend', import.meta.url));
    expect(readStartScript(backend).entry).toBe('dist/server.js');
  });
});
