const PROBE_TIMEOUT_MS = 1_000;

/** True when GET `url` answers 2xx within a second; false on any error or other status. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    // Unread bodies hold their connection open until garbage collection.
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
