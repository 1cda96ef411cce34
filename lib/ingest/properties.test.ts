import { describe, expect, it } from 'vitest';
import { applyPropertyOps } from './properties';
import { groupsTooMany, opsTooLarge, PROPERTY_LIMITS, UpdateBudget } from './property-limits';

describe('applyPropertyOps', () => {
  it('applies every operation in order', () => {
    const start = { a: 1, list: ['x'], gone: true, keep: 'k' };
    const { props, changed } = applyPropertyOps(start, {
      $set: { plan: 'pro' },
      $setOnce: { keep: 'other', first: 'f' },
      $add: { a: 2, n: '3' },
      $append: { list: 'y' },
      $prepend: { list: 'w' },
      $unset: { gone: '-' },
      $postInsert: { list: 'x' },
      $preInsert: { list: 'v' },
      $remove: { list: 'w' },
      plain: 7,
    });
    expect(changed).toBe(true);
    expect(props).toEqual({ a: 3, n: 3, list: ['v', 'x', 'y'], keep: 'k', first: 'f', plan: 'pro', plain: 7 });
    expect(start).toEqual({ a: 1, list: ['x'], gone: true, keep: 'k' });
  });

  it('clears all and reports no change for a no-op', () => {
    expect(applyPropertyOps({ a: 1 }, { $clearAll: '-' }).props).toEqual({});
    expect(applyPropertyOps({ a: 1 }, { $set: { a: 1 } }).changed).toBe(false);
  });
});

describe('property limits', () => {
  const list = (n: number, tag = 'i') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

  it('keeps a list to its limit: the newest when appended, the first when prepended', () => {
    const max = PROPERTY_LIMITS.maxListItems;
    const appended = applyPropertyOps({ l: list(max) }, { $append: { l: ['new'] } }).props.l as string[];
    expect(appended).toHaveLength(max);
    expect([appended[0], appended.at(-1)]).toEqual(['i1', 'new']);
    const prepended = applyPropertyOps({ l: list(max) }, { $prepend: { l: ['new'] } }).props.l as string[];
    expect([prepended.length, prepended[0], prepended.at(-1)]).toEqual([max, 'new', `i${max - 2}`]);
    const inserted = applyPropertyOps({ l: list(max) }, { $postInsert: { l: [...list(max), 'x'] } }).props.l as string[];
    expect([inserted.length, inserted.at(-1)]).toEqual([max, 'x']);
  });

  it('does not apply operations that would take the properties past their size, and says so', () => {
    const start = { a: 'x'.repeat(PROPERTY_LIMITS.maxChars - 100) };
    const r = applyPropertyOps(start, { $set: { b: 'y'.repeat(200) } });
    expect(r).toMatchObject({ changed: false, refused: true });
    expect(r.props).toBe(start);
  });

  it('refuses a request that itself asks for too much, and too many groups', () => {
    expect(opsTooLarge({ $append: { l: list(PROPERTY_LIMITS.maxListItems + 1) } })).toBe(true);
    expect(opsTooLarge({ $append: { l: list(PROPERTY_LIMITS.maxListItems) } })).toBe(false);
    expect(opsTooLarge({ $set: Object.fromEntries(list(70).map((k) => [k, 'z'.repeat(1_000)])) })).toBe(true);
    expect(groupsTooMany({ t: list(11) })).toBe(true);
    expect(groupsTooMany({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toBe(false);
    expect(groupsTooMany({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toBe(true);
  });

  it("a user's updates are limited per hour, as Amplitude limits them", () => {
    const budget = new UpdateBudget();
    const hour = 3_600_000 * 500_000;
    for (let i = 0; i < PROPERTY_LIMITS.maxUpdatesPerHour; i++) expect(budget.take('u', hour + i)).toBe(true);
    expect(budget.take('u', hour + 10)).toBe(false);
    expect(budget.take('other', hour + 10)).toBe(true);
    expect(budget.take('u', hour + 3_600_000)).toBe(true);
  });
});
