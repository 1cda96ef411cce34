// A look inside an exported file: the first lines of a part, read back with a ranged GET of its first
// compressed bytes and gunzipped as far as they go (fflate, streaming): a 256 MB part costs one
// 256 KB read. Also the ready-to-paste snippets that read the files with common tools.
import { Gunzip, strFromU8 } from 'fflate';
import { CURRENT_EVENT_KEYS, EVENT_KEYS, type LineFormat } from './format';
import type { S3Access } from './s3';

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

/** Snippets that read a connection's files: DuckDB, Athena/Glue, Snowflake, the AWS CLI. */
export function snippets(d: { bucket: string; prefix: string; projectId: number; orgId: number; lineFormat: LineFormat }, sampleKey: string | null) {
  const base = `s3://${d.bucket}/${d.prefix}`;
  const keys = d.lineFormat === 'current' ? CURRENT_EVENT_KEYS : EVENT_KEYS;
  const types: Record<string, string> = d.lineFormat === 'current' ? {} : { $schema: 'int' };
  const columns = keys.map((k) => `  \`${k}\` ${types[k] ?? ATHENA_TYPES[k] ?? 'string'}`).join(',\n');
  const merged = `-${d.orgId}_2026-01-31_13.json.gz`;
  return {
    duckdb: `INSTALL httpfs; LOAD httpfs;  -- and CREATE SECRET (TYPE s3, ...) for the bucket
SELECT event_type, count(*) AS events
FROM read_json('${base}${d.projectId}_*.json.gz', format = 'newline_delimited', compression = 'gzip')
GROUP BY ALL ORDER BY events DESC;`,
    athena: `-- the dict columns are JSON text: read them with json_extract_scalar()
CREATE EXTERNAL TABLE spillway_events_${d.projectId} (
${columns}
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'true')
LOCATION '${base}'
TBLPROPERTIES ('classification' = 'json');
-- the table reads every file under the prefix, merged-ID files (-${d.orgId}_*) too: keep a separate prefix per kind, or filter with "$path"`,
    snowflake: `CREATE OR REPLACE STAGE spillway_stage URL = '${base}' STORAGE_INTEGRATION = my_s3_integration FILE_FORMAT = (TYPE = JSON COMPRESSION = GZIP);
CREATE TABLE IF NOT EXISTS amplitude_events (raw VARIANT);
COPY INTO amplitude_events FROM @spillway_stage PATTERN = '.*${d.projectId}_.*[.]json[.]gz';`,
    awsCli: `aws s3 ls ${base} | grep '${d.projectId}_'
aws s3 cp '${base}${sampleKey ? sampleKey.slice(d.prefix.length) : `${d.projectId}_2026-01-31_13#1.json.gz`}' - | gunzip | head
# merged-ID files start with a dash: give the key with = so it is not read as an option
aws s3api get-object --bucket ${d.bucket} --key=${d.prefix}${merged} ${merged}`,
  };
}
