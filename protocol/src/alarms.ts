// Threshold alarms (docs/interface/alarms.md): the rule names, the `alarm` event's payload and
// the alarm id, shared by the backend that evaluates them and the dashboard that shows them.

export const ALARM_RULES = [
  'trunk_utilisation',
  'asr_15m',
  'company_cps_1m',
  'source_stale',
  'long_call',
] as const;
export type AlarmRule = (typeof ALARM_RULES)[number];

export const ALARM_SEVERITIES = ['warning', 'critical'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

export const ALARM_STATES = ['raised', 'cleared'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const ALARM_SUBJECT_KINDS = ['trunk', 'company', 'source', 'call', 'global'] as const;
export type AlarmSubjectKind = (typeof ALARM_SUBJECT_KINDS)[number];

export interface AlarmSubject {
  kind: AlarmSubjectKind;
  /** The trunk, company, source or call id; `*` for `global`. */
  id: string;
}

/** The `alarm` event's data, and each entry of a snapshot's `alarms`. */
export interface AlarmPayload {
  /** `<rule>:<kind>:<id>`: stable per rule and subject, so a raise and its clear share it. */
  id: string;
  rule: AlarmRule;
  state: AlarmState;
  severity: AlarmSeverity;
  subject: AlarmSubject;
  /** The measured value that crossed (or fell back past) the threshold. */
  value: number;
  threshold: number;
  /** ms since epoch when this alarm was raised (for a clear: when it had been raised). */
  since: number;
  message: string;
}

export function alarmId(rule: AlarmRule, subject: AlarmSubject): string {
  return `${rule}:${subject.kind}:${subject.id}`;
}

const SEVERITY_RANK: Record<AlarmSeverity, number> = { warning: 1, critical: 2 };

/** Critical first, then the oldest first: the order of the wall's alarm strip. */
export function compareAlarms(a: AlarmPayload, b: AlarmPayload): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.since - b.since;
}
