// The call simulator: Poisson arrivals, each call following its script, every change
// emitted as a complete call record. Pure: time comes in through advance(), and all
// randomness from one seeded stream drawn in timeline order, so the output depends only on
// the config, the start time and the times advance() is called with.
import { SCHEMA_VERSION, callKey } from '@live-calls/protocol';
import type { CallEnd, CallRecord, Phase } from '@live-calls/protocol';
import { buildDirectory, pickParties } from './call-parties.js';
import type { CallParties, Directory } from './call-parties.js';
import { scriptCall } from './call-script.js';
import type { ScriptStep } from './call-script.js';
import { validateSimulatorConfig } from './config.js';
import type { SimulatorConfig } from './config.js';
import { Prng } from './prng.js';
import { TimerHeap } from './timer-heap.js';

/** The proxy's own listening socket, as a PBX would report it. */
const PROXY_SOCKET = 'udp:10.0.0.10:5060';

interface LiveCall {
  readonly id: string;
  readonly callId: string;
  readonly createdAt: number;
  readonly parties: CallParties;
  readonly steps: readonly ScriptStep[];
  readonly fromTag: string;
  readonly toTag: string;
  /** Index of the next step to apply. */
  next: number;
  seq: number;
  answeredAt: number | null;
  /** Set from the answer on; absent before. */
  held: boolean | undefined;
  /** Whether the callee has replied with a tag yet (ringing or a final response). */
  toTagKnown: boolean;
  /** The last record emitted for it; undefined before the first. */
  last?: CallRecord;
}

export class CallSimulator {
  readonly config: Readonly<SimulatorConfig>;
  readonly #rng: Prng;
  readonly #directory: Directory;
  readonly #meanGapMs: number;
  readonly #heap = new TimerHeap<LiveCall>();
  /** Every call not ended, by id, in setup order, with its last record. */
  readonly #live = new Map<string, LiveCall>();
  /** Continuous time of the next arrival; it is emitted at the following whole ms. */
  #arrivalClock: number;
  #clock: number;
  #attempts = 0;
  #skipped = 0;

  constructor(config: SimulatorConfig, startMs: number) {
    if (!Number.isSafeInteger(startMs) || startMs < 0) {
      throw new RangeError(
        `startMs must be a non-negative integer (ms since epoch), got ${startMs}`,
      );
    }
    this.config = validateSimulatorConfig(config);
    this.#rng = new Prng(this.config.seed);
    this.#directory = buildDirectory(this.config.companies, this.config.trunks);
    this.#meanGapMs = 1000 / this.config.cps;
    this.#clock = startMs;
    this.#arrivalClock = startMs + this.#rng.exponential(this.#meanGapMs);
  }

  /** Number of calls not ended. */
  get activeCount(): number {
    return this.#live.size;
  }

  /** The time of the last advance() (initially the start time). */
  get clockMs(): number {
    return this.#clock;
  }

  /** Call arrivals so far, including those skipped at maxActive. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Arrivals dropped because maxActive calls were up. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Every event with ts in (last advance, nowMs], in ts order; each a complete valid
   * CallRecord. A nowMs at or before the last advance returns nothing. Records are fresh
   * objects the simulator never touches again; treat them as read-only, since active()
   * hands out the same objects.
   */
  advance(nowMs: number): CallRecord[] {
    if (!Number.isFinite(nowMs)) throw new RangeError(`advance(nowMs): nowMs is ${nowMs}`);
    const out: CallRecord[] = [];
    if (nowMs <= this.#clock) return out;
    for (;;) {
      const arrivalAt = Math.floor(this.#arrivalClock) + 1;
      const stepAt = this.#heap.peekDue();
      // At equal times a call's step goes first, so an ending call frees its slot.
      if (stepAt <= arrivalAt) {
        if (stepAt > nowMs) break;
        const call = this.#heap.pop();
        if (call !== undefined) this.#applyStep(call, stepAt, out);
      } else {
        if (arrivalAt > nowMs) break;
        this.#arrive(arrivalAt, out);
        this.#arrivalClock += this.#rng.exponential(this.#meanGapMs);
      }
    }
    this.#clock = nowMs;
    return out;
  }

  /** Current records of all calls not ended (what the PBX would list), for call.sync. */
  active(): CallRecord[] {
    const records: CallRecord[] = [];
    for (const call of this.#live.values()) if (call.last !== undefined) records.push(call.last);
    return records;
  }

  /**
   * Ends the call `id` now, as an operator's hang-up does through the PBX: its record with
   * `end.reason = "terminated"` and `end.by = by`, stamped with the simulator's clock (the
   * time of the last advance(), so no later event of the simulator precedes it). The rest of
   * its script is dropped. Undefined when no such call is up (unknown or already ended).
   */
  hangup(id: string, by: string): CallRecord | undefined {
    const call = this.#live.get(id);
    if (call === undefined) return undefined;
    // Its next step may still sit in the heap: with no steps left it is skipped when due.
    call.next = call.steps.length;
    return this.#emit(call, 'ended', this.#clock, { reason: 'terminated', by });
  }

  /**
   * No new call arrives up to `untilMs`; calls in progress carry on. For a wall-clock
   * driver that was suspended: catching up would otherwise burst every missed arrival.
   */
  skipArrivals(untilMs: number): void {
    if (untilMs > this.#arrivalClock) this.#arrivalClock = untilMs;
  }

  #arrive(ts: number, out: CallRecord[]): void {
    this.#attempts++;
    if (this.#live.size >= this.config.maxActive) {
      this.#skipped++;
      return;
    }
    const rng = this.#rng;
    const parties = pickParties(rng, this.#directory);
    const { steps } = scriptCall(rng);
    // The setup time in the Call-ID keeps ids unique across restarts with the same seed,
    // which the backend's tombstones would otherwise treat as replays of ended calls.
    const callId = `${rng.hex(20)}-${ts.toString(36)}@${parties.callerHost}`;
    const call: LiveCall = {
      id: callKey(this.config.source, callId),
      callId,
      createdAt: ts,
      parties,
      steps,
      fromTag: rng.hex(8),
      toTag: rng.hex(8),
      next: 0,
      seq: 0,
      answeredAt: null,
      held: undefined,
      toTagKnown: false,
    };
    out.push(this.#emit(call, 'setup', ts));
    this.#schedule(call);
  }

  #schedule(call: LiveCall): void {
    const step = call.steps[call.next];
    if (step !== undefined) this.#heap.push(call.createdAt + step.at, call);
  }

  #applyStep(call: LiveCall, ts: number, out: CallRecord[]): void {
    const step = call.steps[call.next++];
    if (step === undefined) return;
    switch (step.phase) {
      case 'ringing':
        call.toTagKnown = true;
        out.push(this.#emit(call, 'ringing', ts));
        break;
      case 'answered':
        call.toTagKnown = true;
        call.answeredAt ??= ts;
        call.held = step.held;
        out.push(this.#emit(call, 'answered', ts));
        break;
      case 'ended':
        call.toTagKnown = true;
        out.push(this.#emit(call, 'ended', ts, step.end));
        return; // nothing comes after ended
    }
    this.#schedule(call);
  }

  #emit(call: LiveCall, phase: Phase, ts: number, end?: CallEnd): CallRecord {
    const p = call.parties;
    const record: CallRecord = {
      v: SCHEMA_VERSION,
      id: call.id,
      source: this.config.source,
      call_id: call.callId,
      seq: ++call.seq,
      phase,
      ts,
      company_id: p.companyId,
      direction: p.direction,
      from: { ...p.from },
      to: { ...p.to },
      trunk: p.trunk,
      created_at: call.createdAt,
      answered_at: call.answeredAt,
      ended_at: phase === 'ended' ? ts : null,
    };
    if (call.held !== undefined) record.held = call.held;
    if (end !== undefined) record.end = { ...end };
    const sip: Record<string, unknown> = {
      from_tag: call.fromTag,
      socket: PROXY_SOCKET,
      caller_contact: p.callerContact,
    };
    if (call.toTagKnown) sip.to_tag = call.toTag;
    if (call.answeredAt !== null) sip.callee_contact = p.calleeContact;
    record.sip = sip;
    if (phase === 'ended') {
      this.#live.delete(call.id);
    } else {
      call.last = record;
      this.#live.set(call.id, call);
    }
    return record;
  }
}
