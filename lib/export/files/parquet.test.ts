// Parquet parts (parquet.ts): the same lines give the same bytes, and reading them back gives the
// lines' values under the typed columns.
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { CURRENT_EVENT_KEYS } from './format';
import { PARQUET_COLUMNS, ParquetPartWriter, ROW_GROUP_ROWS } from './parquet';

const line = (i: number) =>
  JSON.stringify(
    Object.fromEntries(
      CURRENT_EVENT_KEYS.map((k) => [
        k,
        k.endsWith('_time')
          ? `2026-01-31 09:00:0${i % 10}.${String(i % 1000).padStart(3, '0')}000`
          : ['amplitude_id', 'event_id', 'session_id', 'app'].includes(k)
            ? 1_000_000_000_000 + i
            : k === 'event_properties'
              ? { i, nested: { ok: true } }
              : k === 'paying'
                ? i % 2 === 0
                : k === 'location_lat'
                  ? i % 3 === 0
                    ? null
                    : 45.5
                  : k === 'event_type'
                    ? `type ${i % 4}`
                    : null,
      ]),
    ),
  );

async function part(n: number) {
  const w = new ParquetPartWriter();
  for (let i = 0; i < n; i++) await w.add(line(i));
  return { bytes: await w.finish(), rawBytes: w.rawBytes, events: w.events };
}

describe('Parquet parts', () => {
  it('have the current line’s 55 columns, named as Athena allows', () => {
    expect(PARQUET_COLUMNS).toHaveLength(55);
    for (const c of PARQUET_COLUMNS) expect(c.name).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(PARQUET_COLUMNS.find((c) => c.key === '$insert_id')!.name).toBe('insert_id');
  });

  it('are the same bytes for the same lines, across row groups', async () => {
    const n = ROW_GROUP_ROWS + 17;
    const [a, b] = [await part(n), await part(n)];
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.events).toBe(n);
    expect(a.rawBytes).toBe(Array.from({ length: n }, (_, i) => Buffer.byteLength(line(i)) + 1).reduce((x, y) => x + y, 0));
  });

  it('read back as the lines’ values', async () => {
    const { bytes } = await part(30);
    const rows = (await parquetReadObjects({ file: bytes.slice().buffer, rowEnd: 30 })) as Record<string, unknown>[];
    expect(rows).toHaveLength(30);
    const o = JSON.parse(line(7));
    expect(rows[7].amplitude_id).toBe(BigInt(o.amplitude_id));
    expect((rows[7].event_time as Date).toISOString()).toBe('2026-01-31T09:00:07.007Z');
    expect(rows[7].paying).toBe(false);
    expect(rows[6].location_lat).toBeNull();
    expect(rows[7].location_lat).toBe(45.5);
    // JSON text in the file, parsed by the reader
    expect(rows[7].event_properties).toEqual({ i: 7, nested: { ok: true } });
    expect(rows[7].event_type).toBe('type 3');
  });
});
