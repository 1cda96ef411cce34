import { expect, it } from 'vitest';
import { serverFlags } from './server-flags.mjs';

it('collects garbage on the allocating thread on two cores or fewer, as SPILLWAY_GC says otherwise', () => {
  expect(serverFlags({}, 2)).toEqual(['--single-threaded-gc']);
  expect(serverFlags({}, 1)).toEqual(['--single-threaded-gc']);
  expect(serverFlags({}, 8)).toEqual([]);
  expect(serverFlags({ SPILLWAY_GC: 'parallel' }, 2)).toEqual([]);
  expect(serverFlags({ SPILLWAY_GC: 'single' }, 8)).toEqual(['--single-threaded-gc']);
  expect(() => serverFlags({ SPILLWAY_GC: 'fast' }, 2)).toThrow('SPILLWAY_GC must be "single" or "parallel" (got "fast")');
});
