import { describe, expect, it } from 'vitest';
import { ArchiveUnavailable, isBusy, storageFault } from './storage-fault';

const sqliteError = (message: string, code?: string, rawCode?: number) => Object.assign(new Error(message), { code, rawCode });

describe('storageFault', () => {
  it("names Spillway's own storage failing, by code, extended code, raw code or message, through causes", () => {
    expect(storageFault(sqliteError('database or disk is full', 'SQLITE_FULL'))?.kind).toBe('full');
    expect(storageFault(sqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'))?.kind).toBe('io');
    expect(storageFault(sqliteError('x', undefined, 11))?.kind).toBe('corrupt');
    expect(storageFault(sqliteError('x', undefined, 5 | (3 << 8)))?.kind).toBe('busy');
    expect(storageFault(sqliteError('attempt to write a readonly database'))?.kind).toBe('readonly');
    expect(storageFault(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))?.kind).toBe('full');
    expect(storageFault(new Error('Failed query', { cause: sqliteError('database disk image is malformed') }))).toEqual({
      kind: 'corrupt',
      reason: "Spillway's database file is damaged",
    });
    expect(storageFault(new ArchiveUnavailable('PutObject answered 403 AccessDenied'))).toEqual({
      kind: 'archive',
      reason: "Spillway's archive of sealed hours (SPILLWAY_ARCHIVE_URL) cannot be reached: PutObject answered 403 AccessDenied",
    });
  });

  it('is null for everything else: the customer’s bucket, bugs, non-errors', () => {
    expect(storageFault(Object.assign(new Error('PutObject answered 403'), { code: 'AccessDenied' }))).toBeNull();
    expect(storageFault(new TypeError('x is undefined'))).toBeNull();
    expect(storageFault(null)).toBeNull();
    expect(storageFault('disk full')).toBeNull();
    expect(isBusy(sqliteError('database is locked'))).toBe(true);
    expect(isBusy(sqliteError('database or disk is full', 'SQLITE_FULL'))).toBe(false);
  });
});
