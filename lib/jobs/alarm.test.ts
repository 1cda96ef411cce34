import { describe, expect, it } from 'vitest';
import { ExportError } from '../s3/errors';
import { alarmText } from './alarm';

const hour = Date.UTC(2026, 10, 24, 13);
const ctx = {
  destination: { id: 7, projectId: 3, bucket: 'b', prefix: 'p/' } as never,
  job: { hour, kind: 'merged' } as never,
  error: new ExportError('access', 'PutObject', 'PutObject answered 403 AccessDenied', 's3:PutObject', 'AccessDenied', 403),
  tries: 5,
  now: hour + 7_200_000,
};

describe('the failure email', () => {
  it('lists every failing hour and kind, not only the first', () => {
    const { body } = alarmText(ctx, [
      { hour, kind: 'merged', state: 'failed' },
      { hour, kind: 'events', state: 'retry' },
      { hour: hour + 3_600_000, kind: 'events', state: 'failed' },
    ]);
    expect(body).toContain('(3 hour files;');
    expect(body).toContain('  2026-11-24 13:00 UTC  merged Amplitude IDs  (failed)');
    expect(body).toContain('  2026-11-24 13:00 UTC  events  (failing, still retrying)');
    expect(body).toContain('  2026-11-24 14:00 UTC  events  (failed)');
    expect(body).toContain('Missing permission: s3:PutObject');
  });

  it('cuts a long list with a count', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ hour: hour + i * 3_600_000, kind: 'events' as const, state: 'failed' }));
    expect(alarmText(ctx, many).body).toContain('… and 10 more');
  });
});
