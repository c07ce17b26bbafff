// A server the checks start from one of the kit's configuration files: its own process,
// output appended to a log file, ready once its port accepts connections, stopped with
// SIGTERM (SIGKILL after 5 s). The test-services harness starts servers from configs it
// writes itself; these run the kit's files instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { waitForPort } from '@live-calls/test-services';

const STOP_TIMEOUT_MS = 5_000;
const running = new Set<ChildProcess>();
// A worker that never reaches afterAll must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ServerProcess {
  readonly name: string;
  readonly port: number;
  readonly logFile: string;
  close(): Promise<void>;
}

export async function startServer(options: {
  name: string;
  command: string;
  args: readonly string[];
  /** The port that accepts connections once the server is up. */
  port: number;
  logFile: string;
}): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, { stdio: ['ignore', log, log] });
  closeSync(log);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(escalation);
  };
  try {
    await Promise.race([
      waitForPort(options.port, 15_000),
      exited.then(() => {
        throw new Error(
          `${options.name} exited at start:\n${readFileSync(options.logFile, 'utf8')}`,
        );
      }),
    ]);
  } catch (err) {
    await close();
    throw err;
  }
  return { name: options.name, port: options.port, logFile: options.logFile, close };
}
