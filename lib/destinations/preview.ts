// A look inside an exported file: the first lines of a part, read back with a ranged GET of its first
// compressed bytes and gunzipped as far as they go (fflate, streaming): a 256 MB part costs one
// 256 KB read. Also the ready-to-paste snippets that read the files with common tools.
import { Gunzip, strFromU8 } from 'fflate';
import { CURRENT_EVENT_KEYS, EVENT_KEYS, type LineFormat } from '../export/files/format';
import type { S3Access } from '../s3/access';

const HEAD_BYTES = 256 * 1024;

export interface Preview {
  key: string;
  lines: Record<string, unknown>[];
  /** more lines follow than were read */
  more: boolean;
}

/** The first `max` lines of a gzip NDJSON part. */
export async function previewPart(s3: S3Access, key: string, max = 20): Promise<Preview> {
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
  d: { bucket: string; prefix: string; keyFolders: string | null; projectId: number; orgId: number; lineFormat: LineFormat; endpoint?: string | null },
  sample: SampleKeys,
) {
  const base = `s3://${d.bucket}/${d.prefix}`;
  const parts = d.keyFolders ? partitionsOf(d.keyFolders, d.projectId) : null;
  const keys = d.lineFormat === 'current' ? CURRENT_EVENT_KEYS : EVENT_KEYS;
  const types: Record<string, string> = d.lineFormat === 'current' ? {} : { $schema: 'int' };
  const columns = keys.map((k) => `  \`${athenaColumn(k)}\` ${types[k] ?? ATHENA_TYPES[k] ?? 'string'}`).join(',\n');
  const mappings = keys
    .filter((k) => athenaColumn(k) !== k)
    .map((k) => `  'mapping.${athenaColumn(k)}' = '${k}'`)
    .join(',\n');
  // an S3-compatible store (MinIO, R2, Ceph) is named on each call; AWS needs nothing
  const endpoint = d.endpoint ? ` --endpoint-url ${d.endpoint}` : '';
  const name = (key: string) => key.slice(d.prefix.length);
  const aws = [parts ? `aws s3 ls${endpoint} --recursive ${base}${parts.location}` : `aws s3 ls${endpoint} ${base}${d.projectId}_`];
  if (sample.events) aws.push(`aws s3 cp${endpoint} '${base}${name(sample.events)}' - | gunzip | head -n 3`);
  else aws.push('# no event file yet: the first hour is exported a few minutes after it ends');
  if (sample.merged) {
    aws.push(
      '# merged-ID files start with a dash: the key is given with = and the file written as ./-…, so neither is read as an option',
      `aws s3api get-object${endpoint} --bucket ${d.bucket} --key=${sample.merged} ./${name(sample.merged)}`,
    );
  }
  return {
    duckdb: `INSTALL httpfs; LOAD httpfs;  -- and CREATE SECRET (TYPE s3, ...) for the bucket
SELECT event_type, count(*) AS events
FROM read_json('${base}${parts ? parts.location + parts.glob : ''}${d.projectId}_*.json.gz', format = 'newline_delimited', compression = 'gzip'${parts?.hive ? ', hive_partitioning = true' : ''})
GROUP BY ALL ORDER BY events DESC;`,
    athena: `-- the dict columns are JSON text: read them with json_extract_scalar(); keys starting with $ are mapped to names Athena allows
CREATE EXTERNAL TABLE spillway_events_${d.projectId} (
${columns}
)
${parts ? `PARTITIONED BY (${parts.columns.map((c) => `\`${c.name}\` string`).join(', ')})\n` : ''}ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'ignore.malformed.json' = 'true',
${mappings}
)
${
  parts
    ? `LOCATION '${base}${parts.location}'
TBLPROPERTIES (
  'classification' = 'json',
  'projection.enabled' = 'true',
${parts.columns.flatMap((c) => projection(c.name, c.variable)).join(',\n')},
  'storage.location.template' = '${base}${parts.location}${parts.locationTemplate}'
);
-- partitions are projected from the folder names: filter on ${parts.columns.map((c) => c.name).join(', ')} to read only those folders`
    : `LOCATION '${base}'
TBLPROPERTIES ('classification' = 'json');
-- the table reads every file under the prefix, merged-ID files (-${d.orgId}_*) too: keep a separate prefix per kind, or filter with "$path"`
}`,
    snowflake: `CREATE OR REPLACE STAGE spillway_stage URL = '${base}' STORAGE_INTEGRATION = my_s3_integration FILE_FORMAT = (TYPE = JSON COMPRESSION = GZIP);
CREATE TABLE IF NOT EXISTS amplitude_events (raw VARIANT);
-- this project's event files only: not merged-ID files (-${d.orgId}_…) nor another project's
COPY INTO amplitude_events FROM @spillway_stage PATTERN = '${snowflakePattern(d.projectId)}';`,
    awsCli: aws.join('\n'),
  };
}

/** The Snowflake PATTERN (a regex over the file's path) of a project's event files. */
export const snowflakePattern = (projectId: number) => `(.*/)?${projectId}_[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{1,2}#[0-9]+[.]json[.]gz`;
