import { isAbsolute } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceBinaryNotFoundError } from './errors.js';
import { findBinary } from './find-binary.js';

describe('findBinary', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('names the Debian package to install when the binary is missing', async () => {
    const failure = findBinary('live-calls-no-such-server', 'live-calls-no-such-package');
    await expect(failure).rejects.toBeInstanceOf(ServiceBinaryNotFoundError);
    await expect(failure).rejects.toThrow('apt-get install -y live-calls-no-such-package');
  });

  it('finds nats-server in /usr/sbin even when PATH leaves sbin out', async () => {
    vi.stubEnv('PATH', '/usr/bin:/bin');
    const path = await findBinary('nats-server', 'nats-server');
    expect(isAbsolute(path)).toBe(true);
  });
});
