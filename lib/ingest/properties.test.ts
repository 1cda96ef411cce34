import { describe, expect, it } from 'vitest';
import { applyPropertyOps } from './properties';

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
