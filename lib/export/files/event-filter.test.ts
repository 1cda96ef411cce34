import { describe, expect, it } from 'vitest';
import { canonicalFilter, filterProblem, filterSql, filterText, passes } from './event-filter';

describe('event filters', () => {
  it('are kept canonical: the same filter in any order is the same text', () => {
    expect(filterText({ mode: 'include', types: ['b', 'a*', 'b'] })).toBe(filterText({ mode: 'include', types: ['a*', 'b'] }));
    expect(canonicalFilter({ mode: 'exclude', types: ['z', 'A'] }).types).toEqual(['A', 'z']);
  });
  it('pass exact names and prefixes, case-sensitively; exclude passes the rest', () => {
    const f = { mode: 'include' as const, types: ['Page Viewed', 'Check*'] };
    expect(['Page Viewed', 'Checkout', 'checkout', 'Page', 'Song Played'].map((t) => passes(f, t))).toEqual([true, true, false, false, false]);
    expect(passes({ ...f, mode: 'exclude' }, 'Song Played')).toBe(true);
    expect(passes(null, 'anything')).toBe(true);
  });
  it('become SQL with parameters only: no name is a wildcard', () => {
    expect(filterSql({ mode: 'exclude', types: ['a%b', 'c_*'] }, 't')).toEqual({ sql: 'not (t in (?) or substr(t, 1, 2) = ?)', params: ['a%b', 'c_'] });
  });
  it('refuse what would be ambiguous or unbounded', () => {
    expect(filterProblem({ mode: 'include', types: [] })).toMatch(/at least one/);
    expect(filterProblem({ mode: 'include', types: ['a*b'] })).toMatch(/only end/);
    expect(filterProblem({ mode: 'include', types: ['*'] })).toMatch(/all events/);
    expect(filterProblem({ mode: 'include', types: Array.from({ length: 201 }, (_, i) => `t${i}`) })).toMatch(/At most 200/);
    expect(filterProblem({ mode: 'maybe' as 'include', types: ['a'] })).toMatch(/include/);
    expect(filterProblem({ mode: 'include', types: ['Checkout', 'Page*'] })).toBeNull();
  });
});
