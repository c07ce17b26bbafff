// The alarms a wall shows: the active ones from the snapshot and `alarm` events, and the
// ones just cleared, kept a little while greyed out so an operator sees an alarm go away
// rather than vanish. Pure: local time comes in as arguments.
import {
  compareAlarms,
  type AlarmPayload,
  type AlarmSeverity,
  type AlarmSubjectKind,
} from '@live-calls/protocol';

/** How long a cleared alarm stays on the strip. */
export const CLEARED_SHOWN_MS = 10_000;

export interface ShownAlarm {
  readonly alarm: AlarmPayload;
  /** Local ms when this tab saw it clear; null while active. */
  readonly clearedAt: number | null;
}

/** What the table marks: the worst active severity per trunk, company and call. */
export interface AlarmMarks {
  readonly trunks: ReadonlyMap<string, AlarmSeverity>;
  readonly companies: ReadonlyMap<string, AlarmSeverity>;
  readonly calls: ReadonlyMap<string, AlarmSeverity>;
}

export const NO_MARKS: AlarmMarks = { trunks: new Map(), companies: new Map(), calls: new Map() };

export class AlarmBoard {
  readonly #shown = new Map<string, ShownAlarm>();

  /** A snapshot: its alarms are the active ones; any other shown alarm has cleared since. */
  replace(alarms: readonly AlarmPayload[], localNow: number): void {
    const active = new Set<string>();
    for (const alarm of alarms) {
      if (alarm.state !== 'raised') continue;
      active.add(alarm.id);
      this.#shown.set(alarm.id, { alarm, clearedAt: null });
    }
    for (const [id, shown] of this.#shown) {
      if (!active.has(id) && shown.clearedAt === null) {
        this.#shown.set(id, { alarm: { ...shown.alarm, state: 'cleared' }, clearedAt: localNow });
      }
    }
  }

  /** One `alarm` event. A clear of an alarm this tab never showed has nothing to fade. */
  apply(alarm: AlarmPayload, localNow: number): void {
    if (alarm.state === 'raised') {
      this.#shown.set(alarm.id, { alarm, clearedAt: null });
    } else if (this.#shown.get(alarm.id)?.clearedAt === null) {
      this.#shown.set(alarm.id, { alarm, clearedAt: localNow });
    }
  }

  /** Drops cleared alarms shown long enough; true when the strip changed. */
  expire(localNow: number): boolean {
    let dropped = false;
    for (const [id, shown] of this.#shown) {
      if (shown.clearedAt !== null && localNow - shown.clearedAt >= CLEARED_SHOWN_MS) {
        this.#shown.delete(id);
        dropped = true;
      }
    }
    return dropped;
  }

  /** Active alarms critical first and oldest first, then the cleared ones, newest clear first. */
  list(): ShownAlarm[] {
    return [...this.#shown.values()].sort((a, b) => {
      if ((a.clearedAt === null) !== (b.clearedAt === null)) return a.clearedAt === null ? -1 : 1;
      if (a.clearedAt !== null && b.clearedAt !== null) return b.clearedAt - a.clearedAt;
      return compareAlarms(a.alarm, b.alarm);
    });
  }

  get activeCount(): number {
    let count = 0;
    for (const shown of this.#shown.values()) if (shown.clearedAt === null) count++;
    return count;
  }

  marks(): AlarmMarks {
    const trunks = new Map<string, AlarmSeverity>();
    const companies = new Map<string, AlarmSeverity>();
    const calls = new Map<string, AlarmSeverity>();
    const byKind: Partial<Record<AlarmSubjectKind, Map<string, AlarmSeverity>>> = {
      trunk: trunks,
      company: companies,
      call: calls,
    };
    for (const { alarm, clearedAt } of this.#shown.values()) {
      const target = clearedAt === null ? byKind[alarm.subject.kind] : undefined;
      if (target !== undefined && target.get(alarm.subject.id) !== 'critical') {
        target.set(alarm.subject.id, alarm.severity);
      }
    }
    return { trunks, companies, calls };
  }

  clear(): void {
    this.#shown.clear();
  }
}

/** The worst mark a call carries through its trunk, its company or itself. */
export function markOf(
  marks: AlarmMarks,
  call: { id: string; trunk: string | null; company_id: string | null },
): AlarmSeverity | null {
  const found = [
    marks.calls.get(call.id),
    call.trunk === null ? undefined : marks.trunks.get(call.trunk),
    call.company_id === null ? undefined : marks.companies.get(call.company_id),
  ];
  if (found.includes('critical')) return 'critical';
  return found.includes('warning') ? 'warning' : null;
}
