// Folder templates read as partitions (preview.ts partitionsOf): what the Athena and DuckDB snippets use.
import { describe, expect, it } from 'vitest';
import { partitionsOf, snippets } from './preview';

describe('partitionsOf', () => {
  it('reads Hive-style folders as columns after the fixed folders', () => {
    expect(partitionsOf('{project}/{kind}/dt={date}/hour={HH}/', 7)).toEqual({
      location: '7/events/',
      glob: 'dt=*/hour=*/',
      locationTemplate: 'dt=${dt}/hour=${hour}/',
      columns: [
        { name: 'dt', variable: 'date' },
        { name: 'hour', variable: 'HH' },
      ],
      hive: true,
    });
  });
  it('names the columns of plain folders after their variables, and says they are not Hive-style', () => {
    const p = partitionsOf('{yyyy}/{MM}/{dd}/{H}/{kind}/', 3);
    expect(p).toMatchObject({ location: '', glob: '*/*/*/*/events/', locationTemplate: '${year}/${month}/${day}/${hour}/events/', hive: false });
  });
});

describe('snippets in date folders', () => {
  it('prune by partition: DuckDB reads with hive_partitioning, Athena projects dt and hour', () => {
    const s = snippets(
      { bucket: 'b', prefix: 'amp/', keyFolders: '{project}/{kind}/dt={date}/hour={HH}/', projectId: 7, orgId: 2, lineFormat: 'current', fileFormat: 'json' },
      { events: null, merged: null },
    );
    expect(s.duckdb).toContain("read_json('s3://b/amp/7/events/dt=*/hour=*/7_*.json.gz'");
    expect(s.duckdb).toContain('hive_partitioning = true');
    expect(s.athena).toContain('PARTITIONED BY (`dt` string, `hour` string)');
    expect(s.athena).toContain("LOCATION 's3://b/amp/7/events/'");
    expect(s.athena).toContain("'storage.location.template' = 's3://b/amp/7/events/dt=${dt}/hour=${hour}/'");
    expect(s.athena).toContain("'projection.hour.digits' = '2'");
  });
});
