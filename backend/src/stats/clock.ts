// How the stats counters cut the backend's clock: 10-s buckets for the CPS/ASR/ACD windows,
// minutes for peaks and the history. Apart so that stats-ledger.ts and history.ts share it.
export const BUCKET_MS = 10_000;
export const PEAK_MINUTE_MS = 60_000;

export const bucketOf = (now: number): number => Math.floor(now / BUCKET_MS);
export const minuteOf = (now: number): number => Math.floor(now / PEAK_MINUTE_MS);
