import { expect, it } from 'vitest';
import { serverFlags } from './server-flags.mjs';

const GB = 1024 ** 3;

it('collects garbage on the allocating thread on two cores or fewer, as SPILLWAY_GC says otherwise', () => {
  expect(serverFlags({}, 2, 24 * GB)).toEqual(['--single-threaded-gc']);
  expect(serverFlags({}, 1, 24 * GB)).toEqual(['--single-threaded-gc']);
  expect(serverFlags({}, 8, 24 * GB)).toEqual([]);
  expect(serverFlags({ SPILLWAY_GC: 'parallel' }, 2, 24 * GB)).toEqual([]);
  expect(serverFlags({ SPILLWAY_GC: 'single' }, 8, 24 * GB)).toEqual(['--single-threaded-gc']);
  expect(() => serverFlags({ SPILLWAY_GC: 'fast' }, 2, 24 * GB)).toThrow('SPILLWAY_GC must be "single" or "parallel" (got "fast")');
});

it('keeps young generations small below 2 GB of memory, as SPILLWAY_HEAP says otherwise', () => {
  expect(serverFlags({}, 8, 1 * GB)).toEqual(['--max-semi-space-size=1']);
  expect(serverFlags({}, 2, 2 * GB - 1)).toEqual(['--single-threaded-gc', '--max-semi-space-size=1']);
  expect(serverFlags({}, 8, 2 * GB)).toEqual([]);
  expect(serverFlags({ SPILLWAY_HEAP: 'lean' }, 8, 24 * GB)).toEqual(['--max-semi-space-size=1']);
  expect(serverFlags({ SPILLWAY_HEAP: 'default' }, 8, 1 * GB)).toEqual([]);
  expect(() => serverFlags({ SPILLWAY_HEAP: 'tiny' }, 8, GB)).toThrow('SPILLWAY_HEAP must be "lean" or "default" (got "tiny")');
});
