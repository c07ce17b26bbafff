/** The server binary is not installed; the message names the Debian package that provides it. */
export class ServiceBinaryNotFoundError extends Error {
  override readonly name = 'ServiceBinaryNotFoundError';
  readonly binary: string;
  readonly debianPackage: string;

  constructor(binary: string, debianPackage: string, searched: readonly string[]) {
    super(
      `${binary} not found (searched ${searched.join(', ')}): ` +
        `install the Debian package with 'apt-get install -y ${debianPackage}'`,
    );
    this.binary = binary;
    this.debianPackage = debianPackage;
  }
}

/** The server did not come up; the message carries the end of its log, where the reason is. */
export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
  readonly logFile: string;

  constructor(reason: string, logFile: string, logTail: string, options?: ErrorOptions) {
    super(`${reason}\n--- last lines of ${logFile} ---\n${logTail}`, options);
    this.logFile = logFile;
  }
}

/** A start script that is not `[NAME=value…] node [--flag…] entry`. */
export class StartScriptError extends Error {
  override readonly name = 'StartScriptError';

  constructor(script: string, detail: string) {
    super(`start script "${script}": ${detail}`);
  }
}

const SHOWN_VALUE_CHARS = 500;

/** waitUntil() gave up; the message names what was awaited and shows the last value probed. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly lastValue: unknown;

  constructor(what: string, timeoutMs: number, lastValue: unknown) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${shown(lastValue)}`);
    this.lastValue = lastValue;
  }
}

function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > SHOWN_VALUE_CHARS ? `${text.slice(0, SHOWN_VALUE_CHARS)}…` : text;
}
