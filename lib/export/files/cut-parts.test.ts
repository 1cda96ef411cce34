import { gunzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { chooseEncoder } from './gzip';
import { writeParts, type PartOutput } from './cut-parts';

type Row = { id: number; text: string };

async function* pagesOf(rows: Row[], size: number) {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

async function run(rows: Row[], partBytes: number, level?: number, pageSize = 7) {
  const out: PartOutput<number>[] = [];
  for await (const p of writeParts(pagesOf(rows, pageSize), {
    toLine: (r: Row) => JSON.stringify(r),
    cursorOf: (r: Row) => r.id,
    partBytes,
    firstPart: 1,
    gzip: level === undefined ? undefined : { level },
  }))
    out.push(p);
  return out;
}

const rows: Row[] = Array.from({ length: 500 }, (_, i) => ({ id: i, text: `événement ${i} ${'x'.repeat(i % 50)}` }));

describe('writeParts', () => {
  for (const level of [undefined, 6]) {
    const name = level === undefined ? 'CompressionStream' : 'fflate level 6';
    it(`${name}: cuts parts at line boundaries once past the threshold, and reads back`, async () => {
      const parts = await run(rows, 8_000, level);
      expect(parts.length).toBeGreaterThan(3);
      const lines = parts.flatMap((p) => strFromU8(gunzipSync(p.body)).split('\n').filter(Boolean));
      expect(lines.map((l) => JSON.parse(l).id)).toEqual(rows.map((r) => r.id));
      for (const p of parts.slice(0, -1)) {
        const text = gunzipSync(p.body);
        expect(text.length).toBe(p.rawBytes);
        expect(p.rawBytes).toBeGreaterThanOrEqual(8_000);
        // cut right after crossing: the part minus its last line is under the threshold
        const lastLine = strFromU8(text).trimEnd().split('\n').pop()!;
        expect(p.rawBytes - new TextEncoder().encode(lastLine).length - 1).toBeLessThan(8_000);
      }
      expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i + 1));
      expect(parts[parts.length - 1].cursor).toBe(499);
    });

    it(`${name}: same rows give byte-identical parts, whatever the page size`, async () => {
      const a = await run(rows, 8_000, level, 7);
      const b = await run(rows, 8_000, level, 100);
      expect(b.map((p) => Buffer.from(p.body).toString('hex'))).toEqual(a.map((p) => Buffer.from(p.body).toString('hex')));
      // gzip header MTIME is zero
      expect([...a[0].body.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    });
  }

  it('writes nothing for no rows', async () => {
    expect(await run([], 1000)).toEqual([]);
  });

  it('uses the platform encoder by default and fflate when a level is set', () => {
    expect(chooseEncoder()).toBe('native');
    expect(chooseEncoder({ level: 9 })).toBe('fflate');
  });
});
