import { expect, it } from 'vitest';
import { toHex } from './hash';
import { sha256 } from './sha256';

it('matches Web Crypto for empty, short, block-edge and multi-block inputs, ASCII and not', async () => {
  const inputs = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(1000), 'd:device-é-\u{1F600}\ninsert-1'];
  for (const s of inputs) {
    const expected = toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
    expect(toHex(sha256(s))).toBe(expected);
  }
  expect(toHex(sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
