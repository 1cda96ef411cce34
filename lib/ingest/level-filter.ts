// A process's filter in memory of the keys in the large levels (`levels.filtered` and after, see
// lib/ingest/levels.ts), so that a read looks in them only for the keys the filter may hold: at 3 million
// dedupe keys, descending their two B-trees for keys that are almost never there was most of what a
// request cost more than on a fresh file (bench:scale).
//
// It must never miss a key those levels hold, also when other processes write the same file. The book's
// filter_token (on level `filtered`'s row) is a random number written anew by every move into or
// between those levels and by every prune of them; the filter is used only while the token is the one it
// is exact for. Its own process's moves it follows, adding the keys they bring in. Any other change of the
// token (another process's move, a prune, a write of its own rolled back) sets it aside, and it is built
// again from the tables, a chunk per write transaction; meanwhile every level is read, as without it.
// A process that stops cleanly keeps its filter in the database (level_filters) with the token it is
// exact for: the next process on the file takes it while the token is unchanged, instead of building it.
// Runtime-neutral.
import { bytesOf, readRows, runRows } from '../db/bulk';
import type { Tx } from '../db/types';
import { KeyFilter } from './key-filter';
import type { FilteredLevels, MoveWatcher } from './levels';

/** Keys read per step of a build: 0.5 MB of their bytes (at 3M keys a step's transaction took 14 ms, at most 39). */
export const FILTER_STEP = 32_000;
// a second build in a row stale before its first use waits this long, doubling, before the next (another
// process moving keys all the time would otherwise keep this one building for nothing)
const BACKOFF_MS = 1_000;
const KEEP = 'on conflict (book) do update set token = excluded.token, keys = excluded.keys, bits = excluded.bits';
const MAX_BACKOFF_MS = 600_000;

/** A filter and the token it is exact for (it follows this process's moves from that token on). */
interface Tracked {
  filter: KeyFilter;
  /** a build's: the tables' when it began; null before its first step */
  token: number | null;
}

interface Live extends Tracked {
  token: number;
  /** whether a lookup used it (one set aside unused counts toward the backoff) */
  used: boolean;
}

interface Build extends Tracked {
  /** which filtered level it reads, and after which key */
  level: number;
  after: [number, string];
}

export class LevelFilter implements MoveWatcher {
  private live: Live | null = null;
  /** whether `begin` is still to look for a kept filter */
  private first = true;
  private build: Build | null = null;
  private stale = 0;
  private notBefore = 0;

  constructor(
    private readonly levels: FilteredLevels,
    private readonly clock: () => number = Date.now,
  ) {
    this.rebuild();
  }

  /** Whether a build has a step to take now. */
  get building(): boolean {
    return this.build !== null && this.clock() >= this.notBefore;
  }

  /** The filter's size in keys, or null while there is none to use. */
  get size(): number | null {
    return this.live?.filter.size ?? null;
  }

  /** Of `keys` (hex), those the filtered levels may hold: every one unless the filter is exact now. In the write transaction. */
  async mayHold(tx: Tx, client: unknown, keys: string[]): Promise<string[]> {
    const live = this.live;
    if (!live) return keys;
    if ((await this.token(tx, client)) !== live.token) {
      this.live = null;
      this.stale = live.used ? 0 : this.stale + 1;
      this.notBefore = this.stale < 2 ? 0 : this.clock() + Math.min(BACKOFF_MS * 2 ** (this.stale - 2), MAX_BACKOFF_MS);
      this.rebuild();
      return keys;
    }
    live.used = true;
    return keys.filter((k) => live.filter.has(k));
  }

  moved(before: number, after: number, keys: string[] | null) {
    for (const t of [this.live, this.build])
      if (t && t.token === before) {
        for (const k of keys ?? []) t.filter.add(k);
        t.token = after;
      }
  }

  /**
   * One step of a build in the caller's write transaction: the next `n` keys of the filtered levels,
   * level by level in key order (a key moved down meanwhile is read in the level it went to, and a move
   * of another process changes the token). Returns whether the build goes on.
   */
  async step(tx: Tx, client: unknown, n = FILTER_STEP): Promise<boolean> {
    const b = this.build;
    if (!b || !this.building) return false;
    b.token ??= await this.token(tx, client);
    const { key, keyParam, keyText } = this.levels;
    const table = this.levels.tables[b.level];
    const range = `from ${table} where (project_id, ${key}) > (?, ${keyParam}) order by project_id, ${key}`;
    // the chunk's keys as one value of their bytes end to end (group_concat copies a blob's bytes as they
    // are): hex to make and parse cost the build three times as much, and ordering the aggregate more
    const [[count, run]] = await readRows(tx, client, `select count(*), cast(group_concat(${key}, '') as blob) from (select ${key} ${range} limit ?)`, [
      ...b.after,
      n,
    ]);
    b.filter.addBytes(bytesOf(run ?? new Uint8Array(0)));
    if (Number(count) === n) {
      // where the next chunk begins: this one's last key (the aggregate's order is SQLite's to choose)
      const [[project, last]] = await readRows(tx, client, `select project_id, ${keyText(key)} ${range} limit 1 offset ?`, [...b.after, n - 1]);
      b.after = [Number(project), String(last)];
    } else if (b.level + 1 < this.levels.tables.length) [b.level, b.after] = [b.level + 1, [-1, '']];
    else {
      [this.live, this.build] = [{ filter: b.filter, token: b.token, used: false }, null];
      return false;
    }
    return true;
  }

  /**
   * Takes the filter a process kept when it stopped, if it is still exact, instead of building it: once,
   * in the first write transaction of this process's ingestion, before anything in it moves keys.
   */
  async begin(tx: Tx, client: unknown): Promise<void> {
    if (!this.first) return;
    this.first = false;
    const token = await this.token(tx, client);
    const kept = await this.kept(tx, client, token);
    if (kept) [this.live, this.build] = [{ filter: kept, token, used: false }, null];
  }

  /**
   * Keeps the filter in the database for the next process on the file (at a clean stop), if it is exact
   * now: the next one takes it while the book's filter_token stays what it is. In the caller's write transaction.
   */
  async keep(tx: Tx, client: unknown): Promise<boolean> {
    const live = this.live;
    if (!live || (await this.token(tx, client)) !== live.token) return false;
    await runRows(
      tx,
      client,
      'level_filters',
      ['book', 'token', 'keys', 'bits'],
      [[this.levels.book, live.token, live.filter.size, live.filter.toBytes()]],
      KEEP,
    );
    return true;
  }

  /** The kept filter of these levels when it was kept at `token`, else null. */
  private async kept(tx: Tx, client: unknown, token: number): Promise<KeyFilter | null> {
    const [row] = await readRows(tx, client, 'select token, keys from level_filters where book = ?', [this.levels.book]);
    if (!row || Number(row[0]) !== token) return null;
    const [[bits]] = await readRows(tx, client, 'select bits from level_filters where book = ?', [this.levels.book]);
    return KeyFilter.of(Number(row[1]), bytesOf(bits));
  }

  private rebuild() {
    this.build = { filter: new KeyFilter(), token: null, level: this.levels.filtered, after: [-1, ''] };
  }

  private async token(tx: Tx, client: unknown): Promise<number> {
    const [row] = await readRows(tx, client, `select filter_token from ${this.levels.book} where level = ?`, [this.levels.filtered]);
    return Number(row?.[0] ?? 0);
  }
}
