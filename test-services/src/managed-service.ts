/** A server process owned by one test suite, on a port that stays its own until close(). */
export interface ManagedService {
  /** `redis://127.0.0.1:PORT`, `nats://127.0.0.1:PORT` or `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Fixed for the life of the object, also across stop/start, so clients can reconnect. */
  readonly port: number;
  readonly running: boolean;
  /** Process id of the current server process; undefined while stopped. */
  readonly pid: number | undefined;
  /** Server stdout/stderr, appended across restarts; deleted by close(). */
  readonly logFile: string;
  /** SIGTERM (SIGCONT first, if paused), then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts again on the same port and data dir; resolves once it serves connections. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** SIGKILL, to simulate a crash; resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process holds still, its connections stay open but nothing is answered. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): Promise<void>;
  /** Stops the server and deletes its temp dir; idempotent. */
  close(): Promise<void>;
}
