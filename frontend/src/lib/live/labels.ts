// Words and symbols the UI shows for contract values. Symbols add a second cue beside
// colour, which a colour-blind operator or a washed-out wall screen may not carry.
import type { CallEnd, Direction, Phase, SnapshotReason } from '@live-calls/protocol';
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

/** One colour each (theme.css `--phase-<tone>`). */
export type StatusTone = 'setup' | 'ringing' | 'answered' | 'held' | 'failed' | 'ended';

export interface CallStatus {
  tone: StatusTone;
  symbol: string;
  label: string;
}

/**
 * What the phase column says. A held call is still answered but gets its own word; an
 * ended call that failed (end reason `failed`, or a SIP final answer ≥ 400) says so with
 * its code — `Failed 486` — rather than a grey "Ended" like a normal hang-up.
 */
export function callStatus(
  phase: Phase,
  held: boolean | undefined,
  end: CallEnd | undefined,
): CallStatus {
  if (phase === 'answered' && held === true)
    return { tone: 'held', symbol: '❚❚', label: 'On hold' };
  if (phase === 'ended' && end !== undefined) {
    const code = end.sip_code;
    if (end.reason === 'failed' || (code !== undefined && code >= 400)) {
      return {
        tone: 'failed',
        symbol: '✕',
        label: code === undefined ? 'Failed' : `Failed ${code}`,
      };
    }
  }
  return { tone: phase, symbol: PHASE_SYMBOLS[phase], label: PHASE_LABELS[phase] };
}

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

/**
 * `12,345`: a count with its thousands grouped. Not toLocaleString: its first use loads
 * ICU's number data in the middle of the first paint (~50 ms here), and a wall reads the same
 * everywhere.
 */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
