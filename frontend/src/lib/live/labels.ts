// Words and symbols the UI shows for contract values. Symbols add a second cue beside
// colour, which a colour-blind operator or a washed-out wall screen may not carry.
import type { Direction, Phase, SnapshotReason } from '@live-calls/protocol';
import type { LastSync } from './connection-tracker.js';

export const PHASE_LABELS: Record<Phase, string> = {
  setup: 'Setup',
  ringing: 'Ringing',
  answered: 'Answered',
  ended: 'Ended',
};

export const PHASE_SYMBOLS: Record<Phase, string> = {
  setup: '◌',
  ringing: '◉',
  answered: '●',
  ended: '○',
};

export const DIRECTION_LABELS: Record<Direction, string> = {
  inbound: 'Inbound',
  outbound: 'Outbound',
  internal: 'Internal',
  unknown: 'Unknown',
};

export const DIRECTION_SYMBOLS: Record<Direction, string> = {
  inbound: '↘',
  outbound: '↗',
  internal: '⇄',
  unknown: '?',
};

const SNAPSHOT_REASON_LABELS: Record<SnapshotReason, string> = {
  initial: 'initial load',
  resume_expired: 'replay window expired',
  epoch_changed: 'epoch changed',
  invalid_id: 'invalid event id',
};

/** What the last (re)connect did, in one line. */
export function describeLastSync(sync: LastSync | null): string {
  if (sync === null) return '';
  if (sync.kind === 'resumed') {
    const events = `${sync.missed} missed event${sync.missed === 1 ? '' : 's'}`;
    return sync.replaying ? `Resuming, ${events} so far…` : `Resumed, ${events}`;
  }
  if (sync.reason === 'initial') return `Snapshot: ${sync.calls} calls`;
  return `Resynced from snapshot: ${SNAPSHOT_REASON_LABELS[sync.reason]}`;
}

export function companyLabel(company: string | null): string {
  return company ?? 'Unassigned';
}

export function trunkLabel(trunk: string | null): string {
  return trunk ?? 'No trunk';
}
