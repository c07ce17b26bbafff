// The Redis engine's atomic steps. Each script is one step of CONTRACT §4: the decision,
// the state change, seq_g and the log entry happen together or not at all.
import { KEYS } from './redis-keys.js';
import { LuaScript } from './lua-script.js';

/** Shared preamble: epoch upkeep and appending to the log. */
const PRELUDE = `
local EPOCH, SEQ, LOG = '${KEYS.epoch}', '${KEYS.seq}', '${KEYS.log}'
-- A missing epoch means the state was lost (flushed, restarted empty): start a new one,
-- dropping any remnant of the old log so ids never mix epochs.
local function ensure_epoch(candidate)
  local epoch = redis.call('GET', EPOCH)
  if epoch then return epoch end
  redis.call('DEL', SEQ, LOG)
  redis.call('SET', EPOCH, candidate)
  return candidate
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
 * ARGV: candidate epoch, maxlen, tombstone ttl ms, then 9 per record: id, seq, phase,
 * company ('' = null), source, score, expectSeq ('' = none), data, udata ('' = same).
 * Returns: epoch, then outcome and seq_g (0 if none) per record.
 */
export const APPLY_BATCH = new LuaScript(`${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local maxlen, ttl = ARGV[2], ARGV[3]
local out = { epoch }
for b = 4, #ARGV, 9 do
  local id, seq, phase, company, source = ARGV[b], tonumber(ARGV[b + 1]), ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local score, expect, data, udata = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
  local key = '${KEYS.callPrefix}' .. id
  local stored = redis.call('HMGET', key, 'seq', 'phase', 'company')
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
    redis.call('HSET', key, 'seq', seq, 'phase', phase, 'company', company, 'source', source)
    local old_company = stored[3]
    if old_company and old_company ~= '' and old_company ~= company then
      redis.call('ZREM', '${KEYS.companyCallsPrefix}' .. old_company, id)
    end
    if phase == 'ended' then
      redis.call('PEXPIRE', key, ttl)
      redis.call('HDEL', '${KEYS.activeJson}', id)
      redis.call('HDEL', '${KEYS.activeUserJson}', id)
      redis.call('ZREM', '${KEYS.activeCalls}', id)
      redis.call('ZREM', '${KEYS.sourceCallsPrefix}' .. source, id)
      if company ~= '' then redis.call('ZREM', '${KEYS.companyCallsPrefix}' .. company, id) end
    else
      redis.call('HSET', '${KEYS.activeJson}', id, data)
      redis.call('HSET', '${KEYS.activeUserJson}', id, view)
      redis.call('ZADD', '${KEYS.activeCalls}', score, id)
      redis.call('ZADD', '${KEYS.sourceCallsPrefix}' .. source, score, id)
      if company ~= '' then redis.call('ZADD', '${KEYS.companyCallsPrefix}' .. company, score, id) end
    end
    out[#out + 1] = outcome
    out[#out + 1] = append(epoch, maxlen, 'call.' .. phase, company, data)
  end
end
return out
`);

/** ARGV: candidate epoch. Returns: epoch, seq, then one status JSON per source. */
export const SNAPSHOT_META = new LuaScript(`${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local out = { epoch, tonumber(redis.call('GET', SEQ) or '0') }
local sources = redis.call('HGETALL', '${KEYS.sources}')
for i = 1, #sources, 2 do
  local state, last = string.match(sources[i + 1], '^(%a+)|(%d*)$')
  out[#out + 1] = source_status(sources[i], state, last)
end
return out
`);

/**
 * ARGV: company, view hash key. Returns the company's active calls' JSON joined by commas
 * and their count. (All companies at once is a plain HVALS of the view hash.)
 */
export const COMPANY_CALLS = new LuaScript(`
local ids = redis.call('ZRANGE', '${KEYS.companyCallsPrefix}' .. ARGV[1], 0, -1)
local calls = {}
for i = 1, #ids, 5000 do
  local chunk = redis.call('HMGET', ARGV[2], unpack(ids, i, math.min(i + 4999, #ids)))
  for _, json in ipairs(chunk) do
    if json then calls[#calls + 1] = json end
  end
end
return { table.concat(calls, ','), #calls }
`);

/**
 * ARGV: epoch, afterSeq, limit. Returns: kind, epoch[, seq, entries...] where kind is
 * replay | expired | epoch_changed | invalid; entries are XRANGE replies.
 */
export const REPLAY = new LuaScript(`${PRELUDE}
local epoch = redis.call('GET', EPOCH)
if epoch ~= ARGV[1] then return { 'epoch_changed', epoch or '' } end
local after = tonumber(ARGV[2])
local seq = tonumber(redis.call('GET', SEQ) or '0')
if after > seq then return { 'invalid', epoch } end
if after == seq then return { 'replay', epoch, seq, {} } end
local first = redis.call('XRANGE', LOG, '-', '+', 'COUNT', 1)
if #first == 0 or tonumber(string.match(first[1][1], '^(%d+)')) > after + 1 then
  return { 'expired', epoch }
end
return { 'replay', epoch, seq, redis.call('XRANGE', LOG, '(' .. after .. '-0', '+', 'COUNT', ARGV[3]) }
`);

/** ARGV: candidate epoch. Returns: epoch, seq. */
export const POSITION = new LuaScript(`${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
return { epoch, tonumber(redis.call('GET', SEQ) or '0') }
`);

/** ARGV: key, part, parts, json, ttl ms. Returns every part's JSON once complete, else nil. */
export const ADD_SYNC_PART = new LuaScript(`
local key = ARGV[1]
redis.call('HSET', key, ARGV[2], ARGV[4])
redis.call('PEXPIRE', key, ARGV[5])
if redis.call('HLEN', key) < tonumber(ARGV[3]) then return false end
local parts = redis.call('HVALS', key)
redis.call('DEL', key)
return parts
`);

/** ARGV: candidate epoch, maxlen, source, now ms. Marks it up; returns the status JSON. */
export const SOURCE_SYNCED = new LuaScript(`${PRELUDE}
local epoch = ensure_epoch(ARGV[1])
local ms = ARGV[4]
redis.call('HSET', '${KEYS.sources}', ARGV[3], 'up|' .. ms)
local status = source_status(ARGV[3], 'up', ms)
append(epoch, ARGV[2], 'source', '', status)
return status
`);

/** ARGV: candidate epoch, maxlen, stale-before ms. Marks each overdue source stale once. */
export const MARK_STALE = new LuaScript(`${PRELUDE}
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
`);
