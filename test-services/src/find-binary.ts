import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ServiceBinaryNotFoundError } from './errors.js';

// Debian installs nats-server into /usr/sbin, which is not on a normal user's PATH.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of `binary` from PATH (then the sbin dirs), or an error naming the package. */
export async function findBinary(binary: string, debianPackage: string): Promise<string> {
  const pathDirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  const dirs = [...new Set([...pathDirs, ...SBIN_DIRS])];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new ServiceBinaryNotFoundError(binary, debianPackage, dirs);
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
