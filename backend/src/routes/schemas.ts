// JSON schemas of what the API sends, built from protocol's constants so the OpenAPI
// document (generated from the route schemas) never repeats a list protocol owns. Each has
// an `$id`, is added once by the openapi plugin, and is named in routes by `ref()`; the id
// is also its name under `components.schemas` in the document.
//
// Fastify serializes a route's object replies with these schemas, and a serializer drops
// what a schema does not name: object schemas of payloads assembled elsewhere say
// `additionalProperties: true`, and `required` lists only what the payload's type guarantees.
import {
  ALARM_RULES,
  ALARM_SEVERITIES,
  ALARM_STATES,
  ALARM_SUBJECT_KINDS,
  DIRECTIONS,
  END_REASONS,
  MAX_CALL_ID_CHARS,
  MAX_FIELD_CHARS,
  PHASES,
  REQUIRED_RECORD_FIELDS,
  ROLES,
  SCHEMA_VERSION,
  SNAPSHOT_REASONS,
  SOURCE_PATTERN,
  SOURCE_STATES,
} from '@live-calls/protocol';

const integer = { type: 'integer' } as const;
const msTime = { type: 'integer', description: 'ms since epoch' } as const;
const nullableMsTime = { type: ['integer', 'null'], description: 'ms since epoch' } as const;
const counts = { type: 'object', additionalProperties: integer } as const;
const ACTIVE_PHASES = PHASES.filter((phase) => phase !== 'ended');

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'The body of every 4xx and 5xx answer.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable' },
        message: { type: 'string', description: 'For people; never internals on a 5xx' },
      },
    },
  },
} as const;

const partySchema = {
  $id: 'Party',
  type: 'object',
  required: ['user'],
  properties: {
    user: { type: 'string', maxLength: MAX_FIELD_CHARS },
    display: { type: 'string', maxLength: MAX_FIELD_CHARS },
    uri: { type: 'string', maxLength: MAX_FIELD_CHARS },
  },
} as const;

const callRecordSchema = {
  $id: 'CallRecord',
  type: 'object',
  description: 'One call as the bridge last saw it (docs/interface/record.md).',
  required: REQUIRED_RECORD_FIELDS,
  properties: {
    v: { const: SCHEMA_VERSION },
    id: { type: 'string', description: '`<source>:<call_id>`' },
    source: { type: 'string', pattern: SOURCE_PATTERN.source },
    call_id: { type: 'string', minLength: 1, maxLength: MAX_CALL_ID_CHARS },
    seq: { type: 'integer', minimum: 1, description: 'Per call, strictly increasing' },
    phase: { enum: PHASES },
    ts: { ...msTime, description: 'When the PBX saw this change, ms since epoch' },
    company_id: { type: ['string', 'null'], maxLength: MAX_FIELD_CHARS },
    direction: { enum: DIRECTIONS },
    from: { $ref: 'Party#' },
    to: { $ref: 'Party#' },
    trunk: { type: ['string', 'null'], maxLength: MAX_FIELD_CHARS },
    created_at: nullableMsTime,
    answered_at: nullableMsTime,
    ended_at: nullableMsTime,
    held: { type: 'boolean' },
    end: {
      type: 'object',
      description: 'Present exactly when `phase` is `ended`',
      required: ['reason'],
      properties: {
        reason: { enum: END_REASONS },
        sip_code: integer,
        sip_reason: { type: 'string' },
        q850: integer,
        by: { type: 'string', description: 'With `terminated`: the operator who hung up' },
      },
    },
    sip: {
      type: 'object',
      additionalProperties: true,
      description: 'Routing internals; never sent to role `user`',
    },
  },
} as const;

const sourceStatusSchema = {
  $id: 'SourceStatus',
  type: 'object',
  required: ['source', 'state', 'last_sync_at', 'active'],
  properties: {
    source: { type: 'string' },
    state: { enum: SOURCE_STATES },
    last_sync_at: { ...nullableMsTime, description: 'Last complete sync; null if none yet' },
    active: { ...integer, description: 'Active calls of this source' },
  },
} as const;

const alarmSchema = {
  $id: 'Alarm',
  type: 'object',
  description: 'A threshold alarm raised or cleared (docs/interface/alarms.md).',
  required: [
    'id',
    'rule',
    'state',
    'severity',
    'subject',
    'value',
    'threshold',
    'since',
    'message',
  ],
  properties: {
    id: { type: 'string', description: '`<rule>:<kind>:<id>`, shared by a raise and its clear' },
    rule: { enum: ALARM_RULES },
    state: { enum: ALARM_STATES },
    severity: { enum: ALARM_SEVERITIES },
    subject: {
      type: 'object',
      required: ['kind', 'id'],
      properties: { kind: { enum: ALARM_SUBJECT_KINDS }, id: { type: 'string' } },
    },
    value: { type: 'number' },
    threshold: { type: 'number' },
    since: { ...msTime, description: 'When it was raised, ms since epoch' },
    message: { type: 'string' },
  },
} as const;

const snapshotSchema = {
  $id: 'Snapshot',
  type: 'object',
  description: 'Active calls with the epoch and seq they reflect.',
  required: ['epoch', 'seq', 'server_time', 'calls', 'sources', 'alarms'],
  properties: {
    epoch: { type: 'string' },
    seq: integer,
    reason: { enum: SNAPSHOT_REASONS, description: 'Why it was sent; on the stream only' },
    server_time: msTime,
    calls: { type: 'array', items: { $ref: 'CallRecord#' } },
    sources: {
      type: 'array',
      items: { $ref: 'SourceStatus#' },
      description: 'Empty for role `user`',
    },
    alarms: {
      type: 'array',
      items: { $ref: 'Alarm#' },
      description:
        'Active alarms within the scope, critical first (role `user`: only those about its own company)',
    },
  },
} as const;

const statsSchema = {
  $id: 'Stats',
  type: 'object',
  description: 'Aggregates over one scope; the `stats` event carries the same object.',
  required: [
    'active',
    'by_phase',
    'by_direction',
    'by_company',
    'by_trunk',
    'cps_1m',
    'asr_15m',
    'acd_15m',
    'peak_1h',
  ],
  additionalProperties: true,
  properties: {
    active: integer,
    by_phase: { ...counts, required: ACTIVE_PHASES },
    by_direction: { ...counts, required: DIRECTIONS },
    by_company: counts,
    by_trunk: counts,
    cps_1m: { type: 'number', description: 'Call attempts per second over the last minute' },
    asr_15m: {
      type: ['number', 'null'],
      description: 'Answered / attempts × 100 over 15 minutes; null without attempts',
    },
    acd_15m: {
      type: ['number', 'null'],
      description: 'Mean talk time (s) of calls answered and ended in 15 minutes',
    },
    peak_1h: {
      type: 'object',
      description: 'Highest concurrent calls in the last hour and when',
      required: ['active', 'at'],
      additionalProperties: true,
      properties: { active: integer, at: nullableMsTime },
    },
  },
} as const;

const historySampleSchema = {
  $id: 'HistorySample',
  type: 'object',
  description: 'One minute of a scope’s history.',
  required: ['t', 'active', 'answered', 'cps', 'asr'],
  properties: {
    t: { ...msTime, description: 'Start of the minute, ms since epoch' },
    active: {
      ...integer,
      description:
        'Highest number of concurrent calls in the minute (the count held, if it did not change)',
    },
    answered: { ...integer, description: 'Calls answered in the minute' },
    cps: { type: 'number', description: 'Call attempts in the minute / 60' },
    asr: {
      type: ['number', 'null'],
      description: 'Answered / attempts × 100 in the minute; null without attempts',
    },
  },
} as const;

const sessionSchema = {
  $id: 'Session',
  type: 'object',
  required: ['sub', 'role', 'company_id', 'exp'],
  properties: {
    sub: { type: 'string' },
    role: { enum: ROLES },
    company_id: { type: ['string', 'null'] },
    // `number`, not `integer`: a serializer would round an identity provider's fractional exp.
    exp: { type: 'number', description: 'Seconds since epoch (JWT `exp`)' },
  },
} as const;

const connectedSchema = {
  $id: 'Connected',
  type: 'object',
  required: ['stream_id', 'epoch', 'seq', 'role', 'company_id', 'heartbeat_ms', 'server_time'],
  properties: {
    stream_id: { type: 'string' },
    epoch: { type: 'string' },
    seq: { ...integer, description: 'The newest seq when the stream started' },
    role: { enum: ROLES },
    company_id: { type: ['string', 'null'] },
    heartbeat_ms: { ...integer, description: 'How often `ping` comes' },
    server_time: msTime,
  },
} as const;

const pingSchema = {
  $id: 'Ping',
  type: 'object',
  required: ['server_time', 'seq'],
  properties: { server_time: msTime, seq: integer },
} as const;

const sessionExpiredSchema = {
  $id: 'SessionExpired',
  type: 'object',
  required: ['server_time'],
  properties: { server_time: msTime },
} as const;

/** Every shared schema, in the order they are added. */
export const SHARED_SCHEMAS = [
  errorSchema,
  partySchema,
  callRecordSchema,
  sourceStatusSchema,
  alarmSchema,
  snapshotSchema,
  statsSchema,
  historySampleSchema,
  sessionSchema,
  connectedSchema,
  pingSchema,
  sessionExpiredSchema,
] as const;

export type SharedSchemaId = (typeof SHARED_SCHEMAS)[number]['$id'];

/** A route schema's reference to a shared schema. */
export function ref(id: SharedSchemaId): { $ref: `${SharedSchemaId}#` } {
  return { $ref: `${id}#` };
}

/** The same schema as the document names it, for places the generator copies verbatim. */
export function componentRef(id: SharedSchemaId): { $ref: string } {
  return { $ref: `#/components/schemas/${id}` };
}

/** An error answer: the shared error body under a description of when it happens. */
export function errorResponse(description: string) {
  return { description, ...ref('Error') };
}

/** A reply without a body (204). */
export function emptyResponse(description: string) {
  return { description, type: 'null' } as const;
}

/** The answers of every route behind `app.requireSession` that takes a `company_id`. */
export const SESSION_ERRORS = {
  401: errorResponse('No session, or a bad or expired one'),
  403: errorResponse('Asks for another company than the session’s'),
} as const;

/** A request that fails while Redis or NATS is away is answered 503, not 500. */
export const DEPENDENCY_DOWN = errorResponse('Redis or NATS is away; retry shortly');

/** Spread into the schema of a route that needs no session. */
export const NO_SESSION = { security: [] } as const;

/** The header of answers that reflect a moment and must not be cached. */
export const NOT_CACHED = {
  'cache-control': { type: 'string', enum: ['no-store'] },
} as const;
