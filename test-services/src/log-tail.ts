import { readFile } from 'node:fs/promises';

const TAIL_LINES = 30;

/** The last lines of a server log, for error messages; never throws. */
export async function readLogTail(file: string, lines: number = TAIL_LINES): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(log unreadable: ${String(error)})`;
  }
}
