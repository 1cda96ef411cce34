'use client';
// How a connection's event files are encoded, in the setup wizard and Manage Export Settings:
// Amplitude's gzip NDJSON, or Parquet (lib/export/files/parquet.ts says the schema).
import type { FileFormat } from '@/lib/export/files/format';

export function FileFormatField(props: { value: FileFormat; onChange: (v: FileFormat) => void }) {
  const option = (value: FileFormat, label: React.ReactNode) => (
    <label style={{ fontWeight: 400, display: 'flex', gap: '.5rem', alignItems: 'baseline' }}>
      <input type="radio" name="file-format" checked={props.value === value} onChange={() => props.onChange(value)} />
      <span>{label}</span>
    </label>
  );
  return (
    <fieldset>
      <legend>Event file format</legend>
      {option(
        'json',
        <>
          JSON lines, gzip: Amplitude&apos;s files (<code>…#1.json.gz</code>)
        </>,
      )}
      {option(
        'parquet',
        <>
          Parquet, Snappy (<code>…#1.parquet</code>): typed columns that Athena, DuckDB and Spark read without parsing JSON
        </>,
      )}
      <p className="hint" style={{ marginTop: 0 }}>
        Parquet files have the current line&apos;s 55 columns (<code>$insert_id</code> is <code>insert_id</code>, <code>$schema</code> is{' '}
        <code>schema_version</code>; times are timestamps; properties are JSON text). Merged IDs stay JSON lines.
      </p>
    </fieldset>
  );
}
