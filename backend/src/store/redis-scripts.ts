// The Redis engine's atomic steps, as Lua sources that redis-commands.ts defines as ioredis
// commands. Each script is one step: the decision, the state change, seq_g and the log entry
// happen together or not at all (docs/interface/ordering.md). The decision mirrors protocol's
// `decide` (docs/adr/0003-ordering-and-resume-in-redis.md says why it is written twice).
import { KEYS } from './redis-keys.js';
import {
  BUCKET_MS,
  CPS_BUCKETS,
  PEAK_FIELD_PREFIX,
  PEAK_MINUTE_MS,
  PEAK_MINUTES,
  RATIO_BUCKETS,
  WINDOW_TTL_MS,
} from '../stats/stats-ledger.js';
import { HISTORY_TTL_MS } from '../stats/history.js';
import { RECENT_MAX, RECENT_MS } from './recent-ended.js';

/**
 * Shared preamble: epoch upkeep and appending to the log.
 *
 * An epoch belongs to one lineage of the data: the master's replication id when the epoch
 * began. A replica promoted by a failover answers with a new id, and may lack the last
 * writes, so its seq_g can go back and hand out numbers already delivered for other events;
 * a Redis restarted empty has no epoch at all. Either way the first step that runs there
 * starts a new epoch, so an id never names two events (docs/adr/0011-epochs-across-failover.md).
 */
const PRELUDE = `
local EPOCH, LINEAGE, SEQ, LOG = '${KEYS.epoch}', '${KEYS.epochLineage}', '${KEYS.seq}', '${KEYS.log}'
local function lineage()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)') or ''
end
local function new_epoch(candidate)
  -- Alarms live in the epoch too: the evaluator raises what still holds in the new one.
  redis.call('DEL', SEQ, LOG, '${KEYS.alarms}')
  redis.call('SET', EPOCH, candidate)
  redis.call('SET', LINEAGE, lineage())
  return candidate
end
-- The current epoch, or a new one (dropping the old log so ids never mix epochs) when the
-- state was lost or the data is of another lineage than the epoch.
local function ensure_epoch(candidate)
  local epoch = redis.call('GET', EPOCH)
  if epoch and redis.call('GET', LINEAGE) == lineage() then return epoch end
  return new_epoch(candidate)
end
-- The log keeps the full view only; instances derive the user view when a client needs it.
local function append(epoch, maxlen, name, company, data)
  local g = redis.call('INCR', SEQ)
  redis.call('XADD', LOG, 'MAXLEN', '~', maxlen, g .. '-0', 'ep', epoch, 'n', name, 'c', company, 'd', data)
  return g
end
local function source_status(source, state, last_sync_at)
  local active = redis.call('ZCARD', '${KEYS.sourceCallsPrefix}' .. source)
  return '{"source":' .. cjson.encode(source) .. ',"state":"' .. state .. '","last_sync_at":' ..
    (last_sync_at == '' and 'null' or last_sync_at) .. ',"active":' .. active .. '}'
end
`;

/**
 * Stats bookkeeping inside the apply step (docs/adr/0005-stats-in-the-store.md), the same
 * rules as stats/stats-ledger.ts. Changes are summed per hash and field over the batch and
 * written once at its end; each touched scope's running active count is tracked for the peak.
 */
const STATS_PRELUDE = `
local LIVE, LIVE_C = '${KEYS.statsLive}', '${KEYS.statsLiveCompanyPrefix}'
local PK = '${PEAK_FIELD_PREFIX}'
local delta, running, touched = {}, {}, {}
local stats_minute -- set by the script before the first track()
local pk_field -- this minute's peak field, set with stats_minute
local recent_touched = {}
-- A number handed to redis.call is formatted by libc's printf, which costs more than the
-- command it goes with (callgrind: ~9 % of the apply step); the few values a batch's counts
-- take are formatted once.
local num_texts = {}
local function num(n)
  local text = num_texts[n]
  if not text then text = string.format('%d', n); num_texts[n] = text end
  return text
end
local function bump(hash, field, n)
  local h = delta[hash]
  if not h then h = {}; delta[hash] = h; touched[#touched + 1] = hash end
  h[field] = (h[field] or 0) + n
end
-- Running active count of a live hash since the batch began: { now, highest, this
-- minute's stored peak or false, count when the batch began }.
local function track(hash, n)
  local r = running[hash]
  if not r then
    local v = redis.call('HMGET', hash, 'active', pk_field)
    local start = tonumber(v[1] or '0')
    r = { start, start, v[2] and tonumber(string.match(v[2], '^(%d+)')) or false, start }
    running[hash] = r
  end
  r[1] = r[1] + n
  if r[1] > r[2] then r[2] = r[1] end
end
local function contribute(company, phase, dir, trunk, n)
  track(LIVE, n)
  bump(LIVE, 'active', n)
  bump(LIVE, 'phase:' .. phase, n)
  bump(LIVE, 'dir:' .. dir, n)
  bump(LIVE, 'trunk:' .. trunk, n)
  bump(LIVE, 'company:' .. company, n)
  if company ~= '' then
    local h = LIVE_C .. company
    track(h, n)
    bump(h, 'active', n)
    bump(h, 'phase:' .. phase, n)
    bump(h, 'dir:' .. dir, n)
    bump(h, 'trunk:' .. trunk, n)
  end
end
-- A call that stays active in the same company: only what changed moves, and the active
-- counts (so the peaks) are untouched.
local function shift(company, kind, old, new)
  if old == new then return end
  bump(LIVE, kind .. old, -1)
  bump(LIVE, kind .. new, 1)
  if company ~= '' then
    local h = LIVE_C .. company
    bump(h, kind .. old, -1)
    bump(h, kind .. new, 1)
  end
end
local function count(win, company, field, n)
  bump(win, field, n)
  if company ~= '' then bump(win, field .. ':' .. company, n) end
end
-- Concluded attempts and answers per trunk, in a hash of their own (the ASR alarm per trunk).
local function count_trunk(twin, trunk, field)
  if trunk ~= '' then bump(twin, field .. ':' .. trunk, 1) end
end
-- An ended call's record, listed for the recent-ended reads.
local function recent_add(key, now, data)
  redis.call('ZADD', key, now, data)
  recent_touched[key] = true
end
-- Zero fields stay (the reader skips them): deleting them would cost a call each time a
-- small tenant's phase count touches 0. The minute's history hash takes the same peak as
-- the live hash (\`pk\`), and on the minute's first entry the count it began with (\`st\`).
local function flush_stats(win, twin, minh, window_ttl, now, now_text)
  for _, hash in ipairs(touched) do
    for field, n in pairs(delta[hash]) do
      if n ~= 0 then redis.call('HINCRBY', hash, field, num(n)) end
    end
  end
  if delta[win] then redis.call('PEXPIRE', win, window_ttl) end
  if delta[twin] then redis.call('PEXPIRE', twin, window_ttl) end
  local hist = {}
  for hash, r in pairs(running) do
    if not r[3] or r[2] > r[3] then
      redis.call('HSET', hash, pk_field, num(r[2]) .. '|' .. now_text)
      local sfx = hash == LIVE and '' or (':' .. string.sub(hash, #LIVE_C + 1))
      hist[#hist + 1] = 'pk' .. sfx
      hist[#hist + 1] = num(r[2])
      if not r[3] then
        hist[#hist + 1] = 'st' .. sfx
        hist[#hist + 1] = num(r[4])
        -- The minute's first entry: drop what the hour before the last one left behind.
        local old = {}
        for m = stats_minute - ${2 * PEAK_MINUTES}, stats_minute - ${PEAK_MINUTES + 1} do old[#old + 1] = PK .. m end
        redis.call('HDEL', hash, unpack(old))
      end
    end
  end
  if #hist > 0 then redis.call('HSET', minh, unpack(hist)) end
  if delta[minh] or #hist > 0 then redis.call('PEXPIRE', minh, '${HISTORY_TTL_MS}') end
  for key in pairs(recent_touched) do
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - ${RECENT_MS}))
    redis.call('ZREMRANGEBYRANK', key, '0', '${-(RECENT_MAX + 1)}')
    redis.call('PEXPIRE', key, '${RECENT_MS}')
  end
end
`;

/** APPLY_BATCH's arguments before the records. */
export const APPLY_HEAD_ARGS = ['candidate_epoch', 'maxlen', 'tombstone_ms', 'now'] as const;

/**
 * APPLY_BATCH's arguments for each record, in order: id, seq, phase, company ('' = null),
 * source, score (created_at), expect (compare-and-set seq, '' = none), data (full view JSON),
 * udata (user view JSON, '' = same as data), dir, trunk ('' = null), ans (answered 0/1),
 * talk (talk ms, '' = not an answered call's end), ansat (answered_at, '' = null). The
 * script's locals take these names.
 */
export const APPLY_RECORD_ARGS = [
  'id',
  'seq',
  'phase',
  'company',
  'source',
  'score',
  'expect',
  'data',
  'udata',
  'dir',
  'trunk',
  'ans',
  'talk',
  'ansat',
] as const;

const RECORD_LOCALS = `local ${APPLY_RECORD_ARGS.join(', ')} = ${APPLY_RECORD_ARGS.map((_, i) => `ARGV[b + ${i}]`).join(', ')}
  local seq_text = seq
  seq = tonumber(seq)`;

/** Returns: epoch, then outcome and seq_g (0 if none) per record. */
export const APPLY_BATCH = `${PRELUDE}${STATS_PRELUDE}
local ${APPLY_HEAD_ARGS.join(', ')} = ${APPLY_HEAD_ARGS.map((_, i) => `ARGV[${i + 1}]`).join(', ')}
local now_text = now
now = tonumber(now)
local epoch = ensure_epoch(candidate_epoch)
local win = '${KEYS.statsWindowPrefix}' .. math.floor(now / ${BUCKET_MS})
local twin = '${KEYS.statsTrunkWindowPrefix}' .. math.floor(now / ${BUCKET_MS})
stats_minute = math.floor(now / ${PEAK_MINUTE_MS})
pk_field = PK .. stats_minute
local minh = '${KEYS.statsMinutePrefix}' .. stats_minute
local out = { epoch }
for b = ${APPLY_HEAD_ARGS.length + 1}, #ARGV, ${APPLY_RECORD_ARGS.length} do
  ${RECORD_LOCALS}
  local key = '${KEYS.callPrefix}' .. id
  local stored = redis.call('HMGET', key, 'seq', 'phase', 'company', 'dir', 'trunk', 'ans')
  local view = udata == '' and data or udata
  local sseq = tonumber(stored[1])
  local outcome
  if expect ~= '' and sseq ~= tonumber(expect) then outcome = 'stale'
  elseif not sseq then outcome = (phase == 'ended') and 'ended' or 'created'
  elseif seq == sseq then outcome = 'duplicate'
  elseif seq < sseq or stored[2] == 'ended' then outcome = 'stale'
  else outcome = (phase == 'ended') and 'ended' or 'updated' end
  if outcome == 'stale' or outcome == 'duplicate' then
    out[#out + 1] = outcome
    out[#out + 1] = 0
  else
    local was_answered = stored[6] == '1'
    local answered = (was_answered or ans == '1') and '1' or '0'
    -- stats/asr.ts concludes(): the first answer, or the end of a call never answered.
    local concluded = not was_answered and (ans == '1' or phase == 'ended')
    redis.call('HSET', key, 'seq', seq_text, 'phase', phase, 'company', company, 'source', source,
      'dir', dir, 'trunk', trunk, 'ans', answered)
    -- A call stored before stats existed (no 'dir') was never counted, so is not taken off.
    local was_counted = sseq and stored[4]
    if was_counted and phase ~= 'ended' and stored[3] == company then
      shift(company, 'phase:', stored[2], phase)
      shift(company, 'dir:', stored[4], dir)
      shift(company, 'trunk:', stored[5], trunk)
    else
      if was_counted then contribute(stored[3], stored[2], stored[4], stored[5], -1) end
      if phase ~= 'ended' then contribute(company, phase, dir, trunk, 1) end
    end
    if not sseq then
      count(win, company, 'att', 1)
      count(minh, company, 'att', 1)
    end
    if concluded then
      count(win, company, 'done', 1)
      count(minh, company, 'done', 1)
      count_trunk(twin, trunk, 'done')
    end
    if answered == '1' and not was_answered then
      count(win, company, 'ans', 1)
      count(minh, company, 'ans', 1)
      count_trunk(twin, trunk, 'ans')
    end
    if talk ~= '' then
      count(win, company, 'talk_ms', tonumber(talk))
      count(win, company, 'talked', 1)
    end
    local old_company = stored[3]
    if old_company and old_company ~= '' and old_company ~= company then
      redis.call('ZREM', '${KEYS.companyCallsPrefix}' .. old_company, id)
    end
    if phase == 'ended' then
      recent_add('${KEYS.recentEnded}', now_text, data)
      if company ~= '' then recent_add('${KEYS.recentEndedCompanyPrefix}' .. company, now_text, data) end
      redis.call('PEXPIRE', key, tombstone_ms)
      redis.call('HDEL', '${KEYS.activeJson}', id)
      redis.call('HDEL', '${KEYS.activeUserJson}', id)
      redis.call('ZREM', '${KEYS.activeCalls}', id)
      redis.call('ZREM', '${KEYS.answeredCalls}', id)
      redis.call('ZREM', '${KEYS.sourceCallsPrefix}' .. source, id)
      if company ~= '' then redis.call('ZREM', '${KEYS.companyCallsPrefix}' .. company, id) end
    else
      redis.call('HSET', '${KEYS.activeJson}', id, data)
      redis.call('HSET', '${KEYS.activeUserJson}', id, view)
      redis.call('ZADD', '${KEYS.activeCalls}', score, id)
      if ansat ~= '' then redis.call('ZADD', '${KEYS.answeredCalls}', ansat, id) end
      redis.call('ZADD', '${KEYS.sourceCallsPrefix}' .. source, score, id)
      if company ~= '' then redis.call('ZADD', '${KEYS.companyCallsPrefix}' .. company, score, id) end
    end
    out[#out + 1] = outcome
    out[#out + 1] = append(epoch, maxlen, 'call.' .. phase, company, data)
  end
end
flush_stats(win, twin, minh, '${WINDOW_TTL_MS}', now, now_text)
return out
`;

/**
 * ARGV: company ('' = all), now ms. Returns, read at one instant: the live hash's fields and
 * values (peak minutes older than an hour dropped on the way), then bucket, att, done, ans,
 * talk_ms, talked for each non-empty bucket of the last 15 min and one more (for the CPS
 * interpolation).
 */
export const READ_STATS = `
local company, now = ARGV[1], tonumber(ARGV[2])
local all = company == ''
local live = all and '${KEYS.statsLive}' or ('${KEYS.statsLiveCompanyPrefix}' .. company)
local sfx = all and '' or (':' .. company)
local current = math.floor(now / ${BUCKET_MS})
local windows = {}
for b = current - ${RATIO_BUCKETS}, current do
  local v = redis.call('HMGET', '${KEYS.statsWindowPrefix}' .. b, 'att' .. sfx, 'done' .. sfx, 'ans' .. sfx, 'talk_ms' .. sfx, 'talked' .. sfx)
  if v[1] or v[2] or v[3] or v[4] or v[5] then
    windows[#windows + 1] = b
    for i = 1, 5 do windows[#windows + 1] = tonumber(v[i] or '0') end
  end
end
local oldest = math.floor((now - ${PEAK_MINUTES * PEAK_MINUTE_MS}) / ${PEAK_MINUTE_MS})
local fields = redis.call('HGETALL', live)
local kept = {}
for i = 1, #fields, 2 do
  local minute = string.match(fields[i], '^${PEAK_FIELD_PREFIX}(%d+)$')
  if minute and tonumber(minute) < oldest then redis.call('HDEL', live, fields[i])
  else kept[#kept + 1] = fields[i]; kept[#kept + 1] = fields[i + 1] end
end
return { kept, windows }
`;

/**
 * ARGV: company ('' = all), now ms, minutes. Returns: the scope's active count, then minute,
 * att, done, ans, pk, st ('' when absent) for each minute of the window with counters.
 */
export const READ_HISTORY = `
local company, now, minutes = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local all = company == ''
local live = all and '${KEYS.statsLive}' or ('${KEYS.statsLiveCompanyPrefix}' .. company)
local sfx = all and '' or (':' .. company)
local current = math.floor(now / ${PEAK_MINUTE_MS})
local out = {}
for m = current - minutes + 1, current do
  local v = redis.call('HMGET', '${KEYS.statsMinutePrefix}' .. m, 'att' .. sfx, 'done' .. sfx, 'ans' .. sfx, 'pk' .. sfx, 'st' .. sfx)
  if v[1] or v[2] or v[3] or v[4] or v[5] then
    out[#out + 1] = m
    out[#out + 1] = v[1] or '0'
    out[#out + 1] = v[2] or '0'
    out[#out + 1] = v[3] or '0'
    out[#out + 1] = v[4] or ''
    out[#out + 1] = v[5] or ''
  end
end
return { redis.call('HGET', live, 'active') or '0', out }
`;

/** ARGV: candidate epoch. Returns: epoch, seq, then one status JSON per source. */
export const SNAPSHOT_META = `${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local out = { epoch, tonumber(redis.call('GET', SEQ) or '0') }
local sources = redis.call('HGETALL', '${KEYS.sources}')
for i = 1, #sources, 2 do
  local state, last = string.match(sources[i + 1], '^(%a+)|(%d*)$')
  out[#out + 1] = source_status(sources[i], state, last)
end
return out
`;

/**
 * ARGV: company, view hash key. Returns the company's active calls' JSON joined by commas
 * and their count. (All companies at once is a plain HVALS of the view hash.)
 */
export const COMPANY_CALLS = `
local ids = redis.call('ZRANGE', '${KEYS.companyCallsPrefix}' .. ARGV[1], 0, -1)
local calls = {}
for i = 1, #ids, 5000 do
  local chunk = redis.call('HMGET', ARGV[2], unpack(ids, i, math.min(i + 4999, #ids)))
  for _, json in ipairs(chunk) do
    if json then calls[#calls + 1] = json end
  end
end
return { table.concat(calls, ','), #calls }
`;

/**
 * ARGV: epoch, afterSeq, limit, candidate epoch. Returns: kind, epoch[, seq, entries...]
 * where kind is replay | expired | epoch_changed | invalid; entries are XRANGE replies.
 */
export const REPLAY = `${PRELUDE}
local epoch = ensure_epoch(ARGV[4])
if epoch ~= ARGV[1] then return { 'epoch_changed', epoch } end
local after = tonumber(ARGV[2])
local seq = tonumber(redis.call('GET', SEQ) or '0')
if after > seq then return { 'invalid', epoch } end
if after == seq then return { 'replay', epoch, seq, {} } end
local first = redis.call('XRANGE', LOG, '-', '+', 'COUNT', 1)
if #first == 0 or tonumber(string.match(first[1][1], '^(%d+)')) > after + 1 then
  return { 'expired', epoch }
end
return { 'replay', epoch, seq, redis.call('XRANGE', LOG, '(' .. after .. '-0', '+', 'COUNT', ARGV[3]) }
`;

/**
 * ARGV: the epoch seen, candidate epoch. A new epoch if the current one is still the one
 * seen (an instance found the store went back in time within it). Returns: epoch, seq.
 */
export const RENEW_EPOCH = `${PRELUDE}
local epoch = redis.call('GET', EPOCH)
if epoch == ARGV[1] then epoch = new_epoch(ARGV[2]) else epoch = ensure_epoch(ARGV[2]) end
return { epoch, tonumber(redis.call('GET', SEQ) or '0') }
`;

/** ARGV: candidate epoch. Returns: epoch, seq. */
export const POSITION = `${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
return { epoch, tonumber(redis.call('GET', SEQ) or '0') }
`;

/** ARGV: key, part, parts, json, ttl ms. Returns every part's JSON once complete, else nil. */
export const ADD_SYNC_PART = `
local key = ARGV[1]
redis.call('HSET', key, ARGV[2], ARGV[4])
redis.call('PEXPIRE', key, ARGV[5])
if redis.call('HLEN', key) < tonumber(ARGV[3]) then return false end
local parts = redis.call('HVALS', key)
redis.call('DEL', key)
return parts
`;

/** ARGV: candidate epoch, maxlen, source, now ms. Marks it up; returns the status JSON. */
export const SOURCE_SYNCED = `${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local ms = ARGV[4]
redis.call('HSET', '${KEYS.sources}', ARGV[3], 'up|' .. ms)
local status = source_status(ARGV[3], 'up', ms)
append(epoch, ARGV[2], 'source', '', status)
return status
`;

/** ARGV: candidate epoch, maxlen, stale-before ms. Marks each overdue source stale once. */
export const MARK_STALE = `${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local before = tonumber(ARGV[3])
local out = {}
local sources = redis.call('HGETALL', '${KEYS.sources}')
for i = 1, #sources, 2 do
  local state, last = string.match(sources[i + 1], '^(%a+)|(%d*)$')
  if state == 'up' and (tonumber(last) or 0) < before then
    redis.call('HSET', '${KEYS.sources}', sources[i], 'stale|' .. last)
    local status = source_status(sources[i], 'stale', last)
    append(epoch, ARGV[2], 'source', '', status)
    out[#out + 1] = status
  end
end
return out
`;

/**
 * ARGV: now ms, long-call-before ms ('' = none), long-call limit, then the trunks with a
 * capacity. Returns, read at one instant (alarms/alarm-inputs.ts): those trunks' active
 * counts; bucket, done, ans of each non-empty bucket of the ASR window; bucket and the
 * trunk hash's fields and values of each; bucket and company, att pairs of each CPS bucket;
 * the sources hash; id, answered_at, company of the oldest answered calls up since the
 * limit; 1 when they are all of them; the active alarms' JSON.
 */
export const READ_ALARM_INPUTS = `
local now, long_before, long_limit = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local current = math.floor(now / ${BUCKET_MS})
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = 'trunk:' .. ARGV[i] end
local trunk_active = {}
if #fields > 0 then trunk_active = redis.call('HMGET', '${KEYS.statsLive}', unpack(fields)) end
for i = 1, #fields do trunk_active[i] = trunk_active[i] or '0' end
local windows, trunk_windows, cps = {}, {}, {}
for b = current - ${RATIO_BUCKETS - 1}, current do
  local v = redis.call('HMGET', '${KEYS.statsWindowPrefix}' .. b, 'done', 'ans')
  if v[1] or v[2] then
    windows[#windows + 1] = b
    windows[#windows + 1] = v[1] or '0'
    windows[#windows + 1] = v[2] or '0'
  end
  local t = redis.call('HGETALL', '${KEYS.statsTrunkWindowPrefix}' .. b)
  if #t > 0 then
    trunk_windows[#trunk_windows + 1] = b
    trunk_windows[#trunk_windows + 1] = t
  end
end
for b = current - ${CPS_BUCKETS}, current do
  local all = redis.call('HGETALL', '${KEYS.statsWindowPrefix}' .. b)
  local pairs_ = {}
  for i = 1, #all, 2 do
    local company = string.match(all[i], '^att:(.+)$')
    if company then
      pairs_[#pairs_ + 1] = company
      pairs_[#pairs_ + 1] = all[i + 1]
    end
  end
  if #pairs_ > 0 then
    cps[#cps + 1] = b
    cps[#cps + 1] = pairs_
  end
end
local long, complete = {}, 1
if long_before ~= '' then
  local found = redis.call('ZRANGEBYSCORE', '${KEYS.answeredCalls}', '-inf', long_before, 'WITHSCORES', 'LIMIT', 0, long_limit + 1)
  if #found > 2 * long_limit then complete = 0 end
  for i = 1, math.min(#found, 2 * long_limit), 2 do
    long[#long + 1] = found[i]
    long[#long + 1] = found[i + 1]
    long[#long + 1] = redis.call('HGET', '${KEYS.callPrefix}' .. found[i], 'company') or ''
  end
end
return { trunk_active, windows, trunk_windows, cps, redis.call('HGETALL', '${KEYS.sources}'), long, complete, redis.call('HVALS', '${KEYS.alarms}') }
`;

/** APPLY_ALARMS's arguments for each transition, after candidate epoch and maxlen. */
export const ALARM_TRANSITION_ARGS = ['id', 'expected', 'next', 'event', 'company'] as const;

/**
 * ARGV: candidate epoch, maxlen, then per transition: id, expected ('' = no alarm stored),
 * next ('' = delete), event JSON, company ('' = none). Each applies only while the stored
 * alarm is still the expected one, and then appends its `alarm` event: so of instances
 * that judged the same change, one makes it. Returns seq_g per transition (0 = skipped).
 */
export const APPLY_ALARMS = `${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local ALARMS = '${KEYS.alarms}'
local out = {}
for b = 3, #ARGV, ${ALARM_TRANSITION_ARGS.length} do
  local id, expected, nxt, event, company = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  if (redis.call('HGET', ALARMS, id) or '') ~= expected then
    out[#out + 1] = 0
  else
    if nxt == '' then redis.call('HDEL', ALARMS, id) else redis.call('HSET', ALARMS, id, nxt) end
    out[#out + 1] = append(epoch, ARGV[2], 'alarm', company, event)
  end
end
return out
`;

/** ARGV: owner, ttl ms. Takes the lease when free or renews it for its owner: 1, else 0. */
export const ALARM_LEASE = `
local owner = redis.call('GET', '${KEYS.alarmLease}')
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', '${KEYS.alarmLease}', ARGV[1], 'PX', ARGV[2])
return 1
`;
