import { describe, expect, it } from 'vitest';
import { chartSpan, dashboardHref, isWall, withParam } from './view-query.js';

describe('view query', () => {
  it('reads wall mode and chart span with safe defaults', () => {
    expect(isWall(new URLSearchParams('wall=1'))).toBe(true);
    expect(isWall(new URLSearchParams('wall=0'))).toBe(false);
    expect(chartSpan(new URLSearchParams('span=15'))).toBe(15);
    expect(chartSpan(new URLSearchParams('span=999'))).toBe(30);
    expect(withParam(new URLSearchParams('a=1'), 'a', null).toString()).toBe('');
  });

  it('returns to the dashboard with its query after sign-in, never elsewhere', () => {
    expect(dashboardHref('company=acme&wall=1')).toBe('/?company=acme&wall=1');
    expect(dashboardHref('')).toBe('/');
    expect(dashboardHref(null)).toBe('/');
    expect(dashboardHref('//evil.example/')).toBe('/?%2F%2Fevil.example%2F=');
  });
});
