import { describe, expect, it } from 'vitest';
import { subjectMatches } from './subject-match.js';

describe('subjectMatches', () => {
  it('follows NATS wildcard rules', () => {
    expect(subjectMatches('call.events.>', 'call.events.setup')).toBe(true);
    expect(subjectMatches('call.events.>', 'call.events')).toBe(false);
    expect(subjectMatches('call.*.setup', 'call.events.setup')).toBe(true);
    expect(subjectMatches('call.*', 'call.events.setup')).toBe(false);
    expect(subjectMatches('call.sync', 'call.sync')).toBe(true);
    expect(subjectMatches('call.sync', 'call.sync.x')).toBe(false);
  });
});
