import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type EngineConfig } from '../jobs/config';
import { policiesFor } from './access';
import type { DestinationFields } from './fields';

const config: EngineConfig = { ...DEFAULT_CONFIG, s3: {}, principalArn: 'arn:aws:iam::123456789012:user/spillway' };
const fields = (over: Partial<DestinationFields>): DestinationFields => ({
  projectId: 1,
  exportEvents: true,
  exportMerged: false,
  awsAccountId: null,
  bucket: 'b',
  region: 'us-east-1',
  prefix: '',
  kmsKeyArn: null,
  endpoint: '',
  forcePathStyle: false,
  keyFolders: null,
  eventFilter: null,
  fileFormat: 'json',
  lineFormat: 'current',
  ...over,
});
const adminPrincipal = (p: unknown) => (p as { Statement: { Principal: { AWS: string } }[] }).Statement[0].Principal.AWS;

describe('the generated KMS key policy', () => {
  it("names the key's account, from the form or the key's ARN", () => {
    expect(adminPrincipal(policiesFor(config, fields({ kmsKeyArn: 'arn:aws:kms:us-east-1:210987654321:key/abc' })).kmsKeyPolicy)).toBe(
      'arn:aws:iam::210987654321:root',
    );
    const r = policiesFor(config, fields({ kmsKeyArn: 'abc', awsAccountId: '111122223333' }));
    expect([adminPrincipal(r.kmsKeyPolicy), r.kmsKeyPolicyNote]).toEqual(['arn:aws:iam::111122223333:root', null]);
  });

  it('never writes the malformed arn:aws:iam:::root: a placeholder and a note say what to fill in', () => {
    const r = policiesFor(config, fields({ kmsKeyArn: 'testkey-1' }));
    expect(adminPrincipal(r.kmsKeyPolicy)).toBe('arn:aws:iam::YOUR_ACCOUNT_ID:root');
    expect(r.kmsKeyPolicyNote).toMatch(/Replace YOUR_ACCOUNT_ID with your 12-digit AWS account ID/);
    expect(policiesFor(config, fields({})).kmsKeyPolicyNote).toBeNull();
  });
});
