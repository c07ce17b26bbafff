// Per-call state at the bridge: turns Kamailio events and dlg.list snapshots into call
// records with a fresh `seq` for every change. Pure apart from the injected seq source.
//
// Events from different Kamailio worker processes can arrive out of order (a 180 after
// the 200), and retransmissions repeat them, so a call only ever moves forward:
// setup → ringing → answered → ended. An ended call stays as a tombstone for a while so
// that a late event cannot bring it back.
import {
  SCHEMA_VERSION,
  TOMBSTONE_TTL_MS,
  callKey,
  isLaterPhase,
  reapedRecord,
  type CallEnd,
  type CallRecord,
  type Party,
  type Phase,
} from '@live-calls/protocol';
import type { DialogSnapshot } from './dlg-list.js';
import type { KamailioEvent } from './kamailio-event.js';
import type { SeqSource } from './seq-clock.js';

interface Entry {
  record: CallRecord;
  /** Bridge clock when the record last changed; a sync requested before it cannot reap it. */
  changedAt: number;
}

export interface ReconcileResult {
  /** The complete active list for `call.sync`. */
  active: CallRecord[];
  /** Calls the bridge learned of or saw advance through the snapshot. */
  changed: CallRecord[];
  /** Calls the PBX no longer has: ended with reason `reaped`. */
  reaped: CallRecord[];
}

export interface CallTrackerOptions {
  source: string;
  seq: SeqSource;
  /** Default: protocol's TOMBSTONE_TTL_MS, the backend's too, so both agree on late events. */
  tombstoneMs?: number;
}

function mergeParty(known: Party, seen: Party): Party {
  if (known.user !== '' && known.display !== undefined && known.uri !== undefined) return known;
  const out: Party = { user: known.user !== '' ? known.user : seen.user };
  const display = known.display ?? seen.display;
  if (display !== undefined) out.display = display;
  const uri = known.uri ?? seen.uri;
  if (uri !== undefined) out.uri = uri;
  return out;
}

function endOf(event: KamailioEvent): CallEnd | undefined {
  let end: CallEnd;
  switch (event.event) {
    case 'failed':
      end = { reason: 'failed' };
      break;
    case 'cancel':
      end = { reason: 'cancel' };
      break;
    case 'bye':
      return { reason: 'bye' };
    case 'timeout':
      return { reason: 'timeout' };
    default:
      return undefined;
  }
  if (event.code !== undefined) end.sip_code = event.code;
  if (event.reason !== undefined && event.reason !== '') end.sip_reason = event.reason;
  if (event.q850 !== undefined) end.q850 = event.q850;
  return end;
}

function phaseOf(event: KamailioEvent): Phase {
  switch (event.event) {
    case 'setup':
    case 'ringing':
    case 'answered':
      return event.event;
    default:
      return 'ended';
  }
}

export class CallTracker {
  readonly source: string;
  readonly #seq: SeqSource;
  readonly #tombstoneMs: number;
  readonly #calls = new Map<string, Entry>();
  #active = 0;

  constructor(opts: CallTrackerOptions) {
    this.source = opts.source;
    this.#seq = opts.seq;
    this.#tombstoneMs = opts.tombstoneMs ?? TOMBSTONE_TTL_MS;
  }

  get activeCount(): number {
    return this.#active;
  }

  /** Calls tracked, tombstones included. */
  get size(): number {
    return this.#calls.size;
  }

  /**
   * Applies one Kamailio event at bridge time `now`. Returns the call's new record when the
   * event moved it forward, undefined when it changed nothing (duplicate, late, or about
   * a call already ended).
   */
  apply(event: KamailioEvent, now: number): CallRecord | undefined {
    const entry = this.#calls.get(event.callId);
    const known = entry?.record;
    const phase = phaseOf(event);
    if (known !== undefined && !isLaterPhase(phase, known.phase)) return undefined;

    const sip: Record<string, unknown> = { ...known?.sip };
    if (event.fromTag !== undefined) sip.from_tag = event.fromTag;
    if (event.toTag !== undefined) sip.to_tag = event.toTag;
    if (event.src !== undefined) sip.src = event.src;
    if (event.ruri !== undefined) sip.ruri = event.ruri;
    if (event.by !== undefined) sip.hangup_by = event.by;

    const record: CallRecord = {
      v: SCHEMA_VERSION,
      id: known?.id ?? callKey(this.source, event.callId),
      source: this.source,
      call_id: event.callId,
      seq: this.#seq.next(),
      phase,
      ts: event.ts,
      company_id: known?.company_id ?? event.company,
      direction:
        known !== undefined && known.direction !== 'unknown' ? known.direction : event.direction,
      from: known ? mergeParty(known.from, event.from) : event.from,
      to: known ? mergeParty(known.to, event.to) : event.to,
      trunk: known?.trunk ?? event.trunk,
      created_at: known?.created_at ?? (event.event === 'setup' ? event.ts : null),
      answered_at: known?.answered_at ?? (phase === 'answered' ? event.ts : null),
      ended_at: phase === 'ended' ? event.ts : null,
    };
    const end = endOf(event);
    if (end !== undefined) record.end = end;
    if (Object.keys(sip).length > 0) record.sip = sip;
    this.#set(event.callId, record, now, known);
    return record;
  }

  /** The call's current record if it is up (not ended, not unknown). */
  activeRecord(callId: string): CallRecord | undefined {
    const record = this.#calls.get(callId)?.record;
    return record === undefined || record.phase === 'ended' ? undefined : record;
  }

  /**
   * Ends a call an operator hung up through the PBX (`dlg.end_dlg`), at bridge time `now`:
   * Kamailio sends no event for it, so the bridge announces the end itself, with
   * `end.reason = "terminated"` and `end.by`. The call becomes a tombstone like any ended
   * one, so the BYE's own event, should one come, changes nothing. Undefined when the call
   * is not up (it ended meanwhile, or is unknown).
   */
  terminate(callId: string, by: string, now: number): CallRecord | undefined {
    const known = this.activeRecord(callId);
    if (known === undefined) return undefined;
    const record: CallRecord = {
      ...known,
      seq: this.#seq.next(),
      phase: 'ended',
      ts: now,
      ended_at: now,
      end: { reason: 'terminated', by },
    };
    this.#set(callId, record, now, known);
    return record;
  }

  /**
   * Reconciles with the PBX's dialog list, requested at bridge time `requestedAt`. Calls the
   * PBX has that the bridge missed are added; calls it lost are ended as `reaped`, unless
   * they changed after the request went out (the list may predate them).
   */
  reconcile(dialogs: readonly DialogSnapshot[], requestedAt: number, now: number): ReconcileResult {
    const active: CallRecord[] = [];
    const changed: CallRecord[] = [];
    const reaped: CallRecord[] = [];
    const listed = new Set<string>();
    for (const dialog of dialogs) {
      listed.add(dialog.callId);
      const known = this.#calls.get(dialog.callId)?.record;
      // The bridge saw it end; the PBX's list lags behind its own events.
      if (known?.phase === 'ended') continue;
      if (known !== undefined && !isLaterPhase(dialog.phase, known.phase)) {
        active.push(known);
        continue;
      }
      const record = this.#fromDialog(dialog, known, requestedAt);
      this.#set(dialog.callId, record, now, known);
      active.push(record);
      changed.push(record);
    }
    for (const [callId, entry] of this.#calls) {
      const known = entry.record;
      if (known.phase === 'ended' || listed.has(callId)) continue;
      if (entry.changedAt >= requestedAt) {
        active.push(known);
        continue;
      }
      // Ended as of the request, the last moment the bridge knew the PBX's list; the seq
      // comes from the bridge's clock like every other it issues (ADR-0007), not seq + 1.
      const record: CallRecord = { ...reapedRecord(known, requestedAt), seq: this.#seq.next() };
      this.#set(callId, record, now, known);
      reaped.push(record);
    }
    return { active, changed, reaped };
  }

  /**
   * Takes back the records a previous bridge process published (read from the state bucket)
   * at bridge time `now`, before the first sync: a call still listed by the PBX then keeps
   * its record as it was (no new event, the same `seq`), one the PBX lost is reaped by that
   * sync, and an ended one is a tombstone. Calls already tracked and other sources' records
   * are left out. Returns how many were taken.
   */
  restore(records: readonly CallRecord[], now: number): number {
    let taken = 0;
    for (const record of records) {
      if (record.source !== this.source || this.#calls.has(record.call_id)) continue;
      // Before any sync request made from now on, so the first one can reap it.
      this.#set(record.call_id, record, now - 1, undefined);
      taken++;
    }
    return taken;
  }

  /** Forgets tombstones older than the tombstone time; returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [callId, entry] of this.#calls) {
      if (entry.record.phase === 'ended' && now - entry.changedAt > this.#tombstoneMs) {
        this.#calls.delete(callId);
        dropped++;
      }
    }
    return dropped;
  }

  #fromDialog(dialog: DialogSnapshot, known: CallRecord | undefined, ts: number): CallRecord {
    const sip: Record<string, unknown> = { ...known?.sip };
    if (dialog.fromTag !== null) sip.from_tag = dialog.fromTag;
    if (dialog.toTag !== null) sip.to_tag = dialog.toTag;
    const record: CallRecord = {
      v: SCHEMA_VERSION,
      id: known?.id ?? callKey(this.source, dialog.callId),
      source: this.source,
      call_id: dialog.callId,
      seq: this.#seq.next(),
      phase: dialog.phase,
      ts,
      company_id: known?.company_id ?? dialog.company,
      direction:
        known !== undefined && known.direction !== 'unknown' ? known.direction : dialog.direction,
      from: known ? mergeParty(known.from, dialog.from) : dialog.from,
      to: known ? mergeParty(known.to, dialog.to) : dialog.to,
      trunk: known?.trunk ?? dialog.trunk,
      created_at: known?.created_at ?? dialog.createdAt,
      answered_at:
        known?.answered_at ?? (dialog.phase === 'answered' ? (dialog.answeredAt ?? ts) : null),
      ended_at: null,
    };
    if (Object.keys(sip).length > 0) record.sip = sip;
    return record;
  }

  #set(callId: string, record: CallRecord, now: number, previous: CallRecord | undefined): void {
    const wasActive = previous !== undefined && previous.phase !== 'ended';
    const isActive = record.phase !== 'ended';
    this.#active += Number(isActive) - Number(wasActive);
    this.#calls.set(callId, { record, changedAt: now });
  }
}
