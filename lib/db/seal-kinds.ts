// The line formats a connection writes (lib/export/files/format.ts renders them) and the seals an hour has:
// its events once per line format, its merged IDs once. Here, in the database's vocabulary, because
// ingestion (lib/ingest/late-rows.ts) marks seals stale as well as the export engine building them;
// the SQL helpers say the same rule in statements. Runtime-neutral.
/**
 * How a connection's event lines are laid out: `current`, as Amplitude writes them today (55 keys,
 * alphabetical, `$schema` null, groups as arrays of strings), the default; `documented`, the 49 keys of
 * Amplitude's documented schema in its order with `$schema` 12, which connections made before
 * `current` existed keep until their admin switches (their readers' tables were built on it).
 */
export const LINE_FORMATS = ['current', 'documented'] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

/** What a seal holds: the events of an hour in one line format, or its merged IDs (one format). */
export type SealKind = 'events' | 'events-current' | 'merged';
export type ExportKind = 'events' | 'merged';

/** The seal an export of `kind` for a connection writing `format` uploads. */
export const sealKindOf = (kind: ExportKind, format: LineFormat): SealKind => (kind === 'events' && format === 'current' ? 'events-current' : kind);

/** Event seals, one per line format: all are built from the same rows. */
export const EVENT_SEAL_KINDS: readonly SealKind[] = ['events', 'events-current'];
export const isEventsKind = (k: SealKind) => k !== 'merged';
/** The export kind a seal is for (its files' names and manifests). */
export const exportKindOf = (k: SealKind): ExportKind => (k === 'merged' ? 'merged' : 'events');

/** EVENT_SEAL_KINDS as an SQL list, for `kind in (...)`. */
export const EVENT_SEAL_KINDS_SQL = `(${EVENT_SEAL_KINDS.map((k) => `'${k}'`).join(', ')})`;

/** sealKindOf in SQL, over a job's kind and its connection's line format (column expressions). */
export const sealKindSql = (kind: string, format: string) => `(case when ${kind} = 'events' and ${format} = 'current' then 'events-current' else ${kind} end)`;
