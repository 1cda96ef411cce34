// Event parts as Parquet (Snappy), built with hyparquet-writer: maintained, pure JavaScript (so it runs
// in the edge-safe engine), Snappy built in. The schema is the current Amplitude line, typed:
// integers INT64, times TIMESTAMP (UTC, milliseconds: Spillway's times have no finer digits), flags
// BOOLEAN, coordinates DOUBLE, text STRING, and the dicts and lists (event_properties, groups, data…)
// as JSON-annotated strings: their keys differ from event to event and their values mix types, which a
// MAP cannot hold and a struct cannot follow; Athena and Spark read them as strings, DuckDB as JSON.
// Names are Athena's: `$insert_id` → insert_id, `$schema` → schema_version (Athena refuses `$`).
// Deterministic: the same rows give the same bytes (row groups of a fixed row count, no timestamps).
import { ByteWriter, ParquetWriter, schemaFromColumnData, type BasicType } from 'hyparquet-writer/src/index.js';
import { CURRENT_EVENT_KEYS } from './format';
import type { PartEncoder } from './cut-parts';

const INT64 = ['app', 'amplitude_id', 'event_id', 'session_id'];
const TIMESTAMP = [
  'client_event_time',
  'client_upload_time',
  'event_time',
  'processed_time',
  'server_received_time',
  'server_upload_time',
  'user_creation_time',
];
const DOUBLE = ['location_lat', 'location_lng'];
const BOOLEAN = ['is_attribution_event', 'paying'];
const JSON_KEYS = ['amplitude_attribution_ids', 'data', 'event_properties', 'global_user_properties', 'group_properties', 'groups', 'plan', 'user_properties'];

/** A line key as a column name readers take everywhere (Athena allows no `$`). */
export const parquetColumnName = (key: string) => (key === '$schema' ? 'schema_version' : key.replace(/^\$/, ''));

const typeOf = (key: string): BasicType =>
  INT64.includes(key)
    ? 'INT64'
    : TIMESTAMP.includes(key)
      ? 'TIMESTAMP'
      : DOUBLE.includes(key)
        ? 'DOUBLE'
        : BOOLEAN.includes(key)
          ? 'BOOLEAN'
          : JSON_KEYS.includes(key)
            ? 'JSON'
            : 'STRING';

/** The columns of an event part: the current line's 55 keys, in its (alphabetical) order. */
export const PARQUET_COLUMNS = CURRENT_EVENT_KEYS.map((key) => ({ key, name: parquetColumnName(key), type: typeOf(key) }));

const SCHEMA = schemaFromColumnData({ columnData: PARQUET_COLUMNS.map((c) => ({ name: c.name, type: c.type, data: [] })) });

// "2026-01-31 09:00:00.123000" (UTC) as a Date
const toDate = (v: string) => new Date(`${v.replace(' ', 'T')}Z`);

function cell(type: BasicType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'INT64':
      return BigInt(v as number);
    case 'TIMESTAMP':
      return toDate(v as string);
    case 'JSON':
      // the writer stringifies JSON columns itself
      return v;
    case 'STRING':
      return typeof v === 'string' ? v : JSON.stringify(v);
    default:
      return v;
  }
}

const encoder = new TextEncoder();

/** Rows per row group: a reader skips whole groups by their statistics; memory holds one group. */
export const ROW_GROUP_ROWS = 10_000;

/** Builds one Parquet part from current-format lines, a row group at a time. */
export class ParquetPartWriter implements PartEncoder {
  private readonly out = new ByteWriter();
  private readonly pq = new ParquetWriter({ writer: this.out, schema: SCHEMA, codec: 'SNAPPY', createdBy: 'spillway' });
  private columns: unknown[][] = PARQUET_COLUMNS.map(() => []);
  rawBytes = 0;
  events = 0;

  async add(line: string) {
    this.rawBytes += encoder.encode(line).length + 1;
    this.events++;
    const o = JSON.parse(line) as Record<string, unknown>;
    PARQUET_COLUMNS.forEach((c, i) => this.columns[i].push(cell(c.type, o[c.key])));
    if (this.columns[0].length >= ROW_GROUP_ROWS) this.flush();
  }

  private flush() {
    if (this.columns[0].length === 0) return;
    this.pq.write({ columnData: PARQUET_COLUMNS.map((c, i) => ({ name: c.name, data: this.columns[i] as never })), rowGroupSize: ROW_GROUP_ROWS });
    this.columns = PARQUET_COLUMNS.map(() => []);
  }

  async finish(): Promise<Uint8Array> {
    this.flush();
    this.pq.finish();
    return new Uint8Array(this.out.getBuffer());
  }
}
