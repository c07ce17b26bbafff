// promtool from Debian's `prometheus` package (scripts/system-packages.sh installs it).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PROMTOOL = '/usr/bin/promtool';

/** promtool's output and exit code; a missing promtool fails the check, naming its package. */
export async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  if (!existsSync(PROMTOOL))
    throw new Error(
      `${PROMTOOL} is missing: apt-get install prometheus (scripts/system-packages.sh)`,
    );
  try {
    const { stdout, stderr } = await run(PROMTOOL, args);
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}
