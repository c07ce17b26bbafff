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
