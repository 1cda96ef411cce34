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

it('is taken back from its bytes with its size, and refuses bytes that cannot be it', () => {
  const f = new KeyFilter();
  const hex = keys(1000);
  for (const k of hex) f.add(k);
  const back = KeyFilter.of(f.size, f.toBytes())!;
  expect(back.size).toBe(1000);
  expect(hex.every((k) => back.has(k))).toBe(true);
  const absent = keys(20_000);
  expect(absent.filter((k) => back.has(k))).toEqual(absent.filter((k) => f.has(k)));
  // it goes on adding where it was
  back.add(absent[0]);
  expect(back.has(absent[0])).toBe(true);
  expect(back.bytes).toBe(f.bytes);
  expect(KeyFilter.of(0, new Uint8Array(0))!.has(hex[0])).toBe(false);
  expect(KeyFilter.of(1000, f.toBytes().subarray(1))).toBeNull();
  expect(KeyFilter.of(0, f.toBytes())).toBeNull();
  expect(KeyFilter.of(-1, new Uint8Array(0))).toBeNull();
});
