// How one call unfolds after its setup: post-dial delay, ringing, then an answer with a
// heavy-tailed talk time or one of the usual failures. The figures are those of ordinary
// telephone traffic: a post-dial delay of a few seconds, 5–20 s of ringing before an answer,
// ASR (answered / attempts) around 60 %, holding times log-normal around an ACD of 3 min,
// failures mixing 486, 480, 487 (caller gave up), 404 and 503 with their Q.850 causes.
// All of a call's randomness is drawn here at once, at setup, so the script is fixed from
// the start.
import type { CallEnd } from '@live-calls/protocol';
import type { Prng } from './prng.js';

/** One scheduled change; `at` is ms after setup, strictly increasing within a script. */
export type ScriptStep =
  | { at: number; phase: 'ringing' }
  /** The answer (held false), or a later hold / resume of the answered call. */
  | { at: number; phase: 'answered'; held: boolean }
  | { at: number; phase: 'ended'; end: CallEnd };

export type Outcome =
  | 'answered'
  | 'cancel'
  | 'busy'
  | 'no_answer'
  | 'unavailable'
  | 'not_found'
  | 'service_unavailable';

export interface CallScript {
  outcome: Outcome;
  steps: ScriptStep[];
}

/** Share of call attempts per outcome; answered is the ASR (~60 %). */
export const OUTCOME_SHARES: Readonly<Record<Outcome, number>> = {
  answered: 0.6,
  cancel: 0.14,
  busy: 0.09,
  no_answer: 0.06,
  unavailable: 0.02,
  not_found: 0.05,
  service_unavailable: 0.04,
};

/** Mean talk time (the ACD), ms. */
const MEAN_TALK_MS = 180_000;
/** Spread of the log-normal talk time: median ≈ 110 s, ~27 % of calls under a minute. */
const TALK_SIGMA = 1;
export const MAX_TALK_MS = 3_600_000;
const MIN_TALK_MS = 1_000;
/** Share of answered calls put on hold once. */
const HOLD_SHARE = 0.1;
/** Share of answered calls whose end the PBX only notices by dialog timeout. */
const TIMEOUT_SHARE = 0.01;

const TALK_MU = Math.log(MEAN_TALK_MS) - (TALK_SIGMA * TALK_SIGMA) / 2;
const OUTCOMES = Object.keys(OUTCOME_SHARES) as Outcome[];
const OUTCOME_CUMULATIVE = OUTCOMES.reduce<number[]>((acc, o) => {
  acc.push((acc[acc.length - 1] ?? 0) + OUTCOME_SHARES[o]);
  return acc;
}, []);

const END = {
  bye: { reason: 'bye', q850: 16 },
  timeout: { reason: 'timeout', q850: 102 },
  cancel: { reason: 'cancel', sip_code: 487, sip_reason: 'Request Terminated', q850: 16 },
  busy: { reason: 'failed', sip_code: 486, sip_reason: 'Busy Here', q850: 17 },
  noAnswer: { reason: 'failed', sip_code: 480, sip_reason: 'Temporarily Unavailable', q850: 19 },
  unavailable: {
    reason: 'failed',
    sip_code: 480,
    sip_reason: 'Temporarily Unavailable',
    q850: 18,
  },
  notFound: { reason: 'failed', sip_code: 404, sip_reason: 'Not Found', q850: 1 },
  serviceUnavailable: {
    reason: 'failed',
    sip_code: 503,
    sip_reason: 'Service Unavailable',
    q850: 34,
  },
} as const satisfies Record<string, CallEnd>;

const ms = (x: number): number => Math.round(x);

function ended(at: number, end: CallEnd): ScriptStep {
  return { at, phase: 'ended', end: { ...end } };
}

function talkTime(rng: Prng): number {
  const t = rng.logNormal(TALK_MU, TALK_SIGMA);
  return Math.min(MAX_TALK_MS, Math.max(MIN_TALK_MS, ms(t)));
}

function answeredSteps(rng: Prng, ringAt: number): ScriptStep[] {
  const answerAt = ringAt + ms(rng.between(5_000, 20_000));
  const endAt = answerAt + talkTime(rng);
  const steps: ScriptStep[] = [
    { at: ringAt, phase: 'ringing' },
    { at: answerAt, phase: 'answered', held: false },
  ];
  if (rng.chance(HOLD_SHARE)) {
    const holdAt = answerAt + Math.max(1_000, ms((endAt - answerAt) * rng.between(0.15, 0.6)));
    const resumeAt = holdAt + ms(rng.between(10_000, 90_000));
    if (holdAt < endAt) steps.push({ at: holdAt, phase: 'answered', held: true });
    // A call may well end while still on hold.
    if (resumeAt < endAt) steps.push({ at: resumeAt, phase: 'answered', held: false });
  }
  steps.push(ended(endAt, rng.chance(TIMEOUT_SHARE) ? END.timeout : END.bye));
  return steps;
}

/** Draws the whole life of one call. */
export function scriptCall(rng: Prng): CallScript {
  const outcome = OUTCOMES[rng.weighted(OUTCOME_CUMULATIVE)] ?? 'answered';
  const ringAt = ms(rng.between(1_000, 4_000)); // post-dial delay
  let steps: ScriptStep[];
  switch (outcome) {
    case 'answered':
      steps = answeredSteps(rng, ringAt);
      break;
    case 'cancel': // the caller gave up while it rang
      steps = [
        { at: ringAt, phase: 'ringing' },
        ended(ringAt + ms(rng.between(2_000, 30_000)), END.cancel),
      ];
      break;
    case 'busy':
      // Mostly busy straight away; sometimes the callee rejects while it rings.
      steps = rng.chance(0.6)
        ? [ended(ringAt, END.busy)]
        : [
            { at: ringAt, phase: 'ringing' },
            ended(ringAt + ms(rng.between(2_000, 8_000)), END.busy),
          ];
      break;
    case 'no_answer': // the no-answer timer fires
      steps = [
        { at: ringAt, phase: 'ringing' },
        ended(ringAt + ms(rng.between(30_000, 45_000)), END.noAnswer),
      ];
      break;
    case 'unavailable':
      steps = [ended(ringAt, END.unavailable)];
      break;
    case 'not_found': // fails right after setup, before any ringing
      steps = [ended(ms(rng.between(100, 800)), END.notFound)];
      break;
    case 'service_unavailable':
      steps = [ended(ms(rng.between(200, 3_000)), END.serviceUnavailable)];
      break;
  }
  return { outcome, steps };
}
