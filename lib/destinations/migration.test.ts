import { describe, expect, it } from 'vitest';
import type * as s from '../db/schema';
import { fieldsFor } from './migration';

describe("a KMS migration's new connection", () => {
  it('writes its files as the old one did: line format, layout, filter and file format', () => {
    const old = {
      projectId: 3,
      exportEvents: true,
      exportMerged: true,
      awsAccountId: '123456789012',
      bucket: 'b',
      region: 'us-east-1',
      prefix: 'amp/',
      endpoint: '',
      forcePathStyle: false,
      keyFolders: '{project}/{kind}/dt={date}/hour={HH}/',
      eventFilter: '{"mode":"exclude","types":["debug*"]}',
      fileFormat: 'parquet',
      lineFormat: 'documented',
    } as typeof s.destinations.$inferSelect;
    const arn = 'arn:aws:kms:us-east-1:123456789012:key/1234';
    // every field of the old connection, and the key
    expect(fieldsFor(old, arn)).toEqual({ ...old, kmsKeyArn: arn });
  });
});
