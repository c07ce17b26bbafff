export interface Closable {
  close(): Promise<void>;
}

/**
 * Closes what a suite started, last started first (a proxy before its upstream, a service
 * before its stores), each one even when another fails; then throws every failure at once.
 * Entries a failed setup never filled are skipped.
 */
export async function closeAll(services: readonly (Closable | null | undefined)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const service of [...services].reverse()) {
    try {
      await service?.close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} of ${services.length} did not close`);
  }
}
