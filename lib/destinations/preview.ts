// A look inside an exported file: the first lines of a part, read back with a ranged GET of its first
// compressed bytes and gunzipped as far as they go (fflate, streaming): a 256 MB part costs one
// 256 KB read. Also the ready-to-paste snippets that read the files with common tools.
import { Gunzip, strFromU8 } from 'fflate';
import { CURRENT_EVENT_KEYS, EVENT_KEYS, type FileFormat, type LineFormat } from '../export/files/format';
import { eventFileExtension } from '../export/files/naming';
import type { S3Access } from '../s3/access';
import { parquetReadObjects } from 'hyparquet';
import { PARQUET_COLUMNS } from '../export/files/parquet';

const HEAD_BYTES = 256 * 1024;

export interface Preview {
  key: string;
  lines: Record<string, unknown>[];
  /** more lines follow than were read */
  more: boolean;
}

// a Parquet TIMESTAMP as the JSON line writes it ("yyyy-MM-dd HH:mm:ss.SSSSSS", UTC)
const lineTime = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 23)}000`;

/**
 * The first `max` rows of a Parquet part of `bytes` bytes, as the JSON line names and writes them:
 * the footer and the first row group are read with ranged GETs, not the whole file.
 */
async function previewParquet(s3: S3Access, key: string, bytes: number, max: number): Promise<Preview> {
  const file = { byteLength: bytes, slice: async (start: number, end?: number) => (await s3.range(key, start, end ?? bytes)).slice().buffer };
  const rows = (await parquetReadObjects({ file, rowEnd: max + 1 })) as Record<string, unknown>[];
  const lines = rows.slice(0, max).map((r) =>
    Object.fromEntries(
      PARQUET_COLUMNS.map((c) => {
        const v = r[c.name];
        return [
          c.key,
          v instanceof Date ? lineTime(v) : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && c.type === 'JSON' ? JSON.parse(v) : (v ?? null),
        ];
      }),
    ),
  );
  return { key, lines, more: rows.length > max };
}

/** The first `max` lines of a part: gzip NDJSON, or Parquet (`bytes`: its size, from the export's record). */
export async function previewPart(s3: S3Access, key: string, max = 20, bytes?: number): Promise<Preview> {
  if (key.endsWith('.parquet') && bytes !== undefined) return previewParquet(s3, key, bytes, max);
  const gz = await s3.head(key, HEAD_BYTES);
  let text = '';
  const gunzip = new Gunzip((chunk) => {
    text += strFromU8(chunk);
  });
  try {
    gunzip.push(gz, gz.byteLength < HEAD_BYTES);
  } catch {
    // the cut end of a ranged read: what came out before it is kept
  }
  const all = text.split('\n');
  // the last piece may be a line cut by the range
  const whole = gz.byteLength < HEAD_BYTES ? all.filter(Boolean) : all.slice(0, -1);
  return { key, lines: whole.slice(0, max).map((l) => JSON.parse(l) as Record<string, unknown>), more: whole.length > max || gz.byteLength >= HEAD_BYTES };
}

// Athena/Glue column types of the schema (timestamps stay text: "yyyy-MM-dd HH:mm:ss.SSSSSS"); the
// current format's `$schema` is null, so text there
const ATHENA_TYPES: Partial<Record<string, string>> = {
  app: 'int',
  amplitude_id: 'bigint',
  paying: 'boolean',
  location_lng: 'double',
  location_lat: 'double',
  event_id: 'int',
  is_attribution_event: 'boolean',
  session_id: 'bigint',
  sample_rate: 'string',
  group_properties: 'string',
  user_properties: 'string',
  groups: 'string',
  event_properties: 'string',
  data: 'string',
};

/** A key as Athena may name a column: `$schema` and `$insert_id` are not names (the SerDe maps them). */
const athenaColumn = (key: string) => (key === '$schema' ? 'schema_version' : key.replace(/^\$/, ''));

/** The S3 object keys a connection wrote that the snippets use as examples (real files, not made-up names). */
export interface SampleKeys {
  events: string | null;
  merged: string | null;
}

// the partition column a template variable becomes when its folder does not name one (`dt={date}` does)
const VARIABLE_COLUMNS: Record<string, string> = { date: 'dt', yyyy: 'year', MM: 'month', dd: 'day', HH: 'hour', H: 'hour' };

// Athena partition projection of each variable's values
function projection(col: string, variable: string): string[] {
  const p = (k: string, v: string) => `  'projection.${col}.${k}' = '${v}'`;
  if (variable === 'date') return [p('type', 'date'), p('format', 'yyyy-MM-dd'), p('range', '2020-01-01,NOW'), p('interval', '1'), p('interval.unit', 'DAYS')];
  const [from, to, digits] = { yyyy: [2020, 2100, 4], MM: [1, 12, 2], dd: [1, 31, 2], HH: [0, 23, 2], H: [0, 23, 1] }[variable as 'yyyy'] ?? [0, 0, 1];
  return [p('type', 'integer'), p('range', `${from},${to}`), ...(digits > 1 ? [p('digits', String(digits))] : [])];
}

/**
 * How a connection's folder template reads as partitions of one project's events: the fixed folders
 * before the first date or hour variable (the table's location), the glob of the rest, and one
 * partition column per variable (Hive-style when every varying folder is `name={variable}`).
 */
export function partitionsOf(folders: string, projectId: number) {
  const fixed = folders.replaceAll('{project}', String(projectId)).replaceAll('{kind}', 'events');
  const segments = fixed.slice(0, -1).split('/');
  const first = segments.findIndex((s) => /\{\w+\}/.test(s));
  const columns: { name: string; variable: string }[] = [];
  const template = segments.slice(first).map((seg) => {
    const hive = /^(\w+)=\{(\w+)\}$/.exec(seg);
    return seg.replace(/\{(\w+)\}/g, (_, variable: string) => {
      let name = hive ? hive[1] : VARIABLE_COLUMNS[variable];
      if (columns.some((c) => c.name === name)) name = `${name}_${columns.length}`;
      columns.push({ name, variable });
      return `\${${name}}`;
    });
  });
  return {
    location: segments
      .slice(0, first)
      .map((s) => `${s}/`)
      .join(''),
    glob: fixed.slice(segments.slice(0, first).join('/').length + (first > 0 ? 1 : 0)).replace(/\{\w+\}/g, '*'),
    locationTemplate: template.map((s) => `${s}/`).join(''),
    columns,
    hive: segments.slice(first).every((s) => !/\{/.test(s) || /^\w+=\{\w+\}$/.test(s)),
  };
}

/**
 * Snippets that read a connection's files, each meant to run as pasted: DuckDB, Athena/Glue, Snowflake,
 * the AWS CLI. A project's event files are `{prefix}{folders}{projectId}_…`; every pattern here is
 * anchored so that merged-ID files (`-{orgId}_…`) and other projects' (`{other}{projectId}_…`) are
 * left out. In date folders, the readers prune by partition (DuckDB's hive_partitioning, Athena's
 * partition projection), so a query of one day reads that day's files only.
 */
export function snippets(
  d: {
    bucket: string;
    prefix: string;
    keyFolders: string | null;
    projectId: number;
    orgId: number;
    lineFormat: LineFormat;
    fileFormat: FileFormat;
    endpoint?: string | null;
  },
  sample: SampleKeys,
) {
  const base = `s3://${d.bucket}/${d.prefix}`;
  const parts = d.keyFolders ? partitionsOf(d.keyFolders, d.projectId) : null;
  const parquet = d.fileFormat === 'parquet';
  const files = `${base}${parts ? parts.location + parts.glob : ''}${d.projectId}_*.${eventFileExtension(d.fileFormat)}`;
  const hive = parts?.hive ? ', hive_partitioning = true' : '';
  // an S3-compatible store (MinIO, R2, Ceph) is named on each call; AWS needs nothing
  const endpoint = d.endpoint ? ` --endpoint-url ${d.endpoint}` : '';
  const name = (key: string) => key.slice(d.prefix.length);
  const aws = [parts ? `aws s3 ls${endpoint} --recursive ${base}${parts.location}` : `aws s3 ls${endpoint} ${base}${d.projectId}_`];
  if (!sample.events) aws.push('# no event file yet: the first hour is exported a few minutes after it ends');
  else if (parquet) aws.push(`aws s3 cp${endpoint} '${base}${name(sample.events)}' ./${sample.events.split('/').at(-1)}`);
  else aws.push(`aws s3 cp${endpoint} '${base}${name(sample.events)}' - | gunzip | head -n 3`);
  if (sample.merged) {
    aws.push(
      '# merged-ID files start with a dash: the key is given with = and the file written as ./-…, so neither is read as an option',
      `aws s3api get-object${endpoint} --bucket ${d.bucket} --key=${sample.merged} ./${name(sample.merged)}`,
    );
  }
  const partitioned = parts ? `PARTITIONED BY (${parts.columns.map((c) => `\`${c.name}\` string`).join(', ')})\n` : '';
  const location = parts
    ? `LOCATION '${base}${parts.location}'
TBLPROPERTIES (
  'classification' = '${parquet ? 'parquet' : 'json'}',
  'projection.enabled' = 'true',
${parts.columns.flatMap((c) => projection(c.name, c.variable)).join(',\n')},
  'storage.location.template' = '${base}${parts.location}${parts.locationTemplate}'
);
-- partitions are projected from the folder names: filter on ${parts.columns.map((c) => c.name).join(', ')} to read only those folders`
    : `LOCATION '${base}'
TBLPROPERTIES ('classification' = '${parquet ? 'parquet' : 'json'}');
-- the table reads every file under the prefix, merged-ID files (-${d.orgId}_*) too: keep a separate prefix per kind (or date folders with {kind}), or filter with "$path"`;
  return {
    duckdb: `INSTALL httpfs; LOAD httpfs;  -- and CREATE SECRET (TYPE s3, ...) for the bucket
SELECT event_type, count(*) AS events
FROM ${parquet ? `read_parquet('${files}'${hive})` : `read_json('${files}', format = 'newline_delimited', compression = 'gzip'${hive})`}
GROUP BY ALL ORDER BY events DESC;`,
    athena: parquet ? athenaParquet(d.projectId, partitioned, location) : athenaJson(d.projectId, d.lineFormat, partitioned, location),
    snowflake: `CREATE OR REPLACE STAGE spillway_stage URL = '${base}' STORAGE_INTEGRATION = my_s3_integration FILE_FORMAT = (${parquet ? 'TYPE = PARQUET' : 'TYPE = JSON COMPRESSION = GZIP'});
CREATE TABLE IF NOT EXISTS amplitude_events (raw VARIANT);
-- this project's event files only: not merged-ID files (-${d.orgId}_…) nor another project's
COPY INTO amplitude_events FROM ${parquet ? '(SELECT $1 FROM @spillway_stage)' : '@spillway_stage'} PATTERN = '${snowflakePattern(d.projectId, d.fileFormat)}';`,
    awsCli: aws.join('\n'),
  };
}

/** Athena over the JSON lines: the SerDe maps the keys starting with $ to names Athena allows. */
function athenaJson(projectId: number, lineFormat: LineFormat, partitioned: string, location: string) {
  const keys = lineFormat === 'current' ? CURRENT_EVENT_KEYS : EVENT_KEYS;
  const types: Record<string, string> = lineFormat === 'current' ? {} : { $schema: 'int' };
  const columns = keys.map((k) => `  \`${athenaColumn(k)}\` ${types[k] ?? ATHENA_TYPES[k] ?? 'string'}`).join(',\n');
  const mappings = keys
    .filter((k) => athenaColumn(k) !== k)
    .map((k) => `  'mapping.${athenaColumn(k)}' = '${k}'`)
    .join(',\n');
  return `-- the dict columns are JSON text: read them with json_extract_scalar(); keys starting with $ are mapped to names Athena allows
CREATE EXTERNAL TABLE spillway_events_${projectId} (
${columns}
)
${partitioned}ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'ignore.malformed.json' = 'true',
${mappings}
)
${location}`;
}

// Athena's types of the Parquet columns (parquet.ts)
const ATHENA_PARQUET: Record<string, string> = { INT64: 'bigint', TIMESTAMP: 'timestamp', DOUBLE: 'double', BOOLEAN: 'boolean' };

/** Athena over the Parquet parts: typed columns, named as the files name them. */
function athenaParquet(projectId: number, partitioned: string, location: string) {
  const columns = PARQUET_COLUMNS.map((c) => `  \`${c.name}\` ${ATHENA_PARQUET[c.type] ?? 'string'}`).join(',\n');
  return `-- typed columns; the dict columns are JSON text: read them with json_extract_scalar()
CREATE EXTERNAL TABLE spillway_events_${projectId} (
${columns}
)
${partitioned}STORED AS PARQUET
${location}`;
}

/** The Snowflake PATTERN (a regex over the file's path) of a project's event files. */
export const snowflakePattern = (projectId: number, fileFormat: FileFormat = 'json') =>
  `(.*/)?${projectId}_[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{1,2}#[0-9]+[.]${fileFormat === 'parquet' ? 'parquet' : 'json[.]gz'}`;
