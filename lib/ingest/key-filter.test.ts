import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { KeyFilter } from './key-filter';

const keys = (n: number) => {
  const hex = randomBytes(16 * n).toString('hex');
  return Array.from({ length: n }, (_, i) => hex.slice(32 * i, 32 * i + 32));
};

it('never misses a key it was given, in either case, across segments', () => {
  const f = new KeyFilter();
  const added = keys(1_100_000);
  for (const k of added) f.add(k);
  expect(f.size).toBe(added.length);
  expect(f.bytes).toBe(2 * 2 * 1024 * 1024);
  expect(added.every((k) => f.has(k))).toBe(true);
  expect(added.slice(0, 1000).every((k) => f.has(k.toUpperCase()))).toBe(true);
});

it('says a key it never had is there for well under 1% of them', () => {
  const f = new KeyFilter();
  for (const k of keys(1_000_000)) f.add(k);
  const absent = keys(100_000);
  const wrong = absent.filter((k) => f.has(k)).length;
  expect(wrong / absent.length).toBeLessThan(0.005);
  expect(wrong).toBeGreaterThan(0);
});

it('takes keys as bytes end to end as it takes them in hex', () => {
  const f = new KeyFilter();
  // full enough that keys it never had are let through (~0.2%): the same ones both ways
  const hex = keys(1_000_000);
  f.addBytes(Buffer.from(hex.join(''), 'hex'));
  expect(f.size).toBe(hex.length);
  expect(hex.every((k) => f.has(k))).toBe(true);
  // the same bits as the keys added in hex: the same answers for keys it never had
  const g = new KeyFilter();
  for (const k of hex) g.add(k);
  const absent = keys(200_000);
  const through = absent.filter((k) => f.has(k));
  expect(through.length).toBeGreaterThan(0);
  expect(through).toEqual(absent.filter((k) => g.has(k)));
  expect(new KeyFilter().has(hex[0])).toBe(false);
});
