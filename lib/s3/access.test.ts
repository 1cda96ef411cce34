import { describe, expect, it } from 'vitest';
import { S3Access } from './access';

describe('presigned PUT URLs', () => {
  it('carry no x-amz-checksum-* parameter, and sign the SSE-KMS headers instead of hoisting them', async () => {
    const s3 = await S3Access.open(
      {
        projectId: 1,
        bucket: 'bkt',
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        forcePathStyle: true,
        prefix: '',
        kmsKeyArn: 'testkey-1',
        roleArn: null,
      },
      { baseCredentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } },
    );
    const { url, headers } = await s3.presignPut('7_2020-01-25_17#1.json.gz');
    const u = new URL(url);
    expect([...u.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toEqual([]);
    expect(u.searchParams.has('x-amz-server-side-encryption')).toBe(false);
    expect(u.searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-server-side-encryption');
    expect(u.pathname).toBe('/bkt/7_2020-01-25_17%231.json.gz');
    expect(headers).toEqual({
      'x-amz-acl': 'bucket-owner-full-control',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'testkey-1',
    });
    // the bucket-owner ACL is a signed header too, not a query parameter
    expect(u.searchParams.has('x-amz-acl')).toBe(false);
    expect(u.searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-acl');
    s3.close();
  });
});
