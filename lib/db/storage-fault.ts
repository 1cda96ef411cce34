// Faults of Spillway's own storage (its database, its disk, its archive of sealed hours), told apart from
// everything else: they are the operator's to fix, never the customer's, and they clear by themselves
// or when space returns. The one place that recognises them; runtime-neutral.

export type StorageFaultKind = 'busy' | 'full' | 'io' | 'corrupt' | 'readonly' | 'unopenable' | 'archive';

export interface StorageFault {
  kind: StorageFaultKind;
  /** what failed, in the operator's words */
  reason: string;
}

const REASONS: Record<StorageFaultKind, string> = {
  busy: "Spillway's database is busy (another process holds its write lock)",
  full: "the disk of Spillway's database is full",
  io: "the disk of Spillway's database failed to read or write (I/O error)",
  corrupt: "Spillway's database file is damaged",
  readonly: "Spillway's database is read-only",
  unopenable: "Spillway's database file cannot be opened",
  archive: "Spillway's archive of sealed hours (SPILLWAY_ARCHIVE_URL) cannot be reached",
};

/** Thrown where the archive of sealed hours fails (lib/export/seal/store.ts), whatever its answer was. */
export class ArchiveUnavailable extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`${REASONS.archive}: ${detail}`, options);
    this.name = 'ArchiveUnavailable';
  }
}

// SQLite's primary result codes (the low byte of an extended code) and the errno of the file system
const BY_CODE: Record<string, StorageFaultKind> = {
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_FULL: 'full',
  SQLITE_IOERR: 'io',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_NOTADB: 'corrupt',
  SQLITE_READONLY: 'readonly',
  SQLITE_CANTOPEN: 'unopenable',
  ENOSPC: 'full',
  EDQUOT: 'full',
  EIO: 'io',
  EROFS: 'readonly',
};
const BY_RAW_CODE: Record<number, StorageFaultKind> = {
  5: 'busy',
  6: 'busy',
  8: 'readonly',
  10: 'io',
  11: 'corrupt',
  13: 'full',
  14: 'unopenable',
  26: 'corrupt',
};
const BY_MESSAGE: [RegExp, StorageFaultKind][] = [
  [/database is locked|SQLITE_BUSY/i, 'busy'],
  [/database or disk is full|SQLITE_FULL|no space left on device/i, 'full'],
  [/disk I\/O error|SQLITE_IOERR/i, 'io'],
  [/database disk image is malformed|file is not a database|SQLITE_CORRUPT/i, 'corrupt'],
  [/readonly database|read-only file system|SQLITE_READONLY/i, 'readonly'],
  [/unable to open database file|SQLITE_CANTOPEN/i, 'unopenable'],
];

function kindOf(e: unknown): StorageFaultKind | null {
  if (e instanceof ArchiveUnavailable) return 'archive';
  const err = e as { code?: unknown; rawCode?: unknown; message?: unknown } | null;
  if (!err || typeof err !== 'object') return null;
  // an extended code (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT) names its primary one first
  if (typeof err.code === 'string') {
    const primary = /^SQLITE_[A-Z]+/.exec(err.code)?.[0] ?? err.code;
    if (BY_CODE[primary]) return BY_CODE[primary];
  }
  if (typeof err.rawCode === 'number' && BY_RAW_CODE[err.rawCode & 0xff]) return BY_RAW_CODE[err.rawCode & 0xff];
  if (typeof err.message === 'string') for (const [re, kind] of BY_MESSAGE) if (re.test(err.message)) return kind;
  return null;
}

/** The storage fault behind `e` (its causes searched too), or null when `e` is something else. */
export function storageFault(e: unknown): StorageFault | null {
  for (let err = e, depth = 0; err && depth < 6; err = (err as { cause?: unknown }).cause, depth++) {
    const kind = kindOf(err);
    if (kind) return { kind, reason: kind === 'archive' ? (err as Error).message : REASONS[kind] };
  }
  return null;
}

/** Another writer holds the database's lock: a wait, then a retry, clears it. */
export const isBusy = (e: unknown) => storageFault(e)?.kind === 'busy';
