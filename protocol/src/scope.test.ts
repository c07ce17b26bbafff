import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES, canSee, mayAct, resolveScope, viewOf, type Role } from './scope.js';
import { companyArb, validRecordArb } from './testing/arbitraries.js';

const sessionArb = fc.record({
  role: fc.constantFrom<Role>(...ROLES),
  company_id: fc.option(companyArb, { nil: null }),
});

describe('scope', () => {
  it('a user session never sees another company nor any sip field', () => {
    fc.assert(
      fc.property(
        companyArb,
        fc.option(companyArb, { nil: undefined }),
        fc.array(validRecordArb, { maxLength: 30 }),
        (company, requested, records) => {
          const result = resolveScope({ role: 'user', company_id: company }, requested);
          if (requested !== undefined && requested !== company) {
            expect(result).toEqual({ ok: false, reason: 'forbidden' });
            return;
          }
          if (!result.ok) throw new Error('own company must resolve');
          expect(result.scope.sources).toBe(false);
          for (const record of records) {
            if (!canSee(result.scope, record)) {
              expect(record.company_id).not.toBe(company);
              continue;
            }
            expect(record.company_id).toBe(company);
            const view = viewOf(result.scope, record);
            expect(view).not.toHaveProperty('sip');
            expect(JSON.stringify(view)).not.toContain('"sip"');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('privileged roles see every call, narrowed only when they ask', () => {
    fc.assert(
      fc.property(
        sessionArb,
        fc.option(companyArb, { nil: undefined }),
        validRecordArb,
        (session, requested, record) => {
          fc.pre(session.role !== 'user');
          const result = resolveScope(session, requested);
          if (!result.ok) throw new Error('privileged roles are never forbidden');
          expect(canSee(result.scope, record)).toBe(
            requested === undefined || record.company_id === requested,
          );
          expect(viewOf(result.scope, record)).toBe(record);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a user without a company sees nothing', () => {
    expect(resolveScope({ role: 'user', company_id: null })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
  });

  it('viewOf never mutates the shared record', () => {
    fc.assert(
      fc.property(validRecordArb, (record) => {
        const before = JSON.stringify(record);
        viewOf({ company_id: 'acme', redacted: true, sources: false }, record);
        expect(JSON.stringify(record)).toBe(before);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('mayAct', () => {
  it('lets admin and operator act, and neither noc nor user', () => {
    expect(ROLES.filter(mayAct)).toEqual(['admin', 'operator']);
  });
});
