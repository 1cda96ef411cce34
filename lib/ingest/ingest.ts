// Stores one validated request, all or nothing: the project by api key, the origin it may come from,
// the throttle, then one write transaction (dedupe, identities, properties, rows). The Identify API
// runs the same path and keeps no event row; Group Identify only changes group properties.
import { eq, sql } from 'drizzle-orm';
import { bulkInsert } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { writeTx } from '../db/write';
import { sha256Hex } from '../util/hash';
import { originAllowed } from './cors';
import { dropDuplicates, rememberInsertIds } from './dedupe';
import { buildRow, EVENT_FIELDS, type RowContext } from './event-rows';
import { GroupState, groupsOf } from './groups';
import { loadIdentities, saveIdentities } from './identity-store';
import { errorBody, type IngestResult } from './responses';
import { Throttle } from './throttle';
import { fillFromUserAgent } from './user-agent';
import type { GroupIdentification, ValidRequest } from './validate';

export interface IngestContext {
  /** the door the request came in by ('/2/httpapi', '/batch', '/', …): stored in `data.path`, chooses the throttle */
  path: string;
  receivedAt: number;
  ip: string | null;
  /** the browser's Origin header; checked against the project's allowed origins */
  origin?: string | null;
  payloadBytes: number;
  throttle?: Throttle;
  /** events per second per api_key (default KEY_EPS_LIMIT) */
  keyEpsLimit?: number;
  /** how long a request waits for the database write lock before answering 503 */
  writeWaitMs?: number;
  clock?: () => number;
}

const defaultThrottle = new Throttle();
// per device or user; the legacy form doors follow the batch API's allowance
export const EPS_LIMIT = { '/2/httpapi': 30, '/batch': 1_000 } as Record<string, number>;
export const KEY_EPS_LIMIT = 50_000;

export async function findProjectByApiKey(db: Db, apiKey: string) {
  const [p] = await db.select().from(s.projects).where(eq(s.projects.apiKey, apiKey)).limit(1);
  return p && !p.isPortfolio ? p : undefined;
}

type Project = NonNullable<Awaited<ReturnType<typeof findProjectByApiKey>>>;

/** The project behind the key, or the answer that refuses the request (unknown key, origin not allowed). */
async function projectFor(db: Db, apiKey: string, ctx: IngestContext): Promise<Project | IngestResult> {
  const project = await findProjectByApiKey(db, apiKey);
  if (!project) return errorBody(400, { error: `Invalid API key: ${apiKey}` });
  if (!originAllowed(ctx.origin ?? null, project.allowedOrigins)) {
    return { ...errorBody(403, { error: `Origin ${ctx.origin} may not send events to this project (see its allowed origins)` }), cors: false };
  }
  return project;
}

/** One write transaction stamped with its server_upload_time (taken inside the write lock); returns it. */
async function writeAt(db: Db, ctx: IngestContext, fn: (tx: Tx, now: number) => Promise<void>): Promise<number> {
  const clock = ctx.clock ?? Date.now;
  let now = 0;
  await writeTx(
    db,
    async (tx) => {
      now = clock();
      await fn(tx, now);
    },
    ctx.writeWaitMs ?? 10_000,
  );
  return now;
}

function accepted(count: number, ctx: IngestContext, uploadTime: number): IngestResult {
  return { status: 200, body: { code: 200, events_ingested: count, payload_size_bytes: ctx.payloadBytes, server_upload_time: uploadTime } };
}

export async function ingest(db: Db, req: ValidRequest, ctx: IngestContext): Promise<IngestResult> {
  const project = await projectFor(db, req.apiKey, ctx);
  if (!('id' in project)) return project;

  // Amplitude fills a missing device_id from a hash of user_id
  await Promise.all(
    req.events.map(async (e) => {
      if (e.device_id === undefined && e.user_id !== undefined) e.device_id = (await sha256Hex(`${project.id}:${e.user_id}`)).slice(0, 32);
    }),
  );

  fillFromUserAgent(req.events);

  const throttled = (ctx.throttle ?? defaultThrottle).check({
    projectId: project.id,
    events: req.events,
    epsLimit: EPS_LIMIT[ctx.path] ?? EPS_LIMIT['/batch'],
    keyEpsLimit: ctx.keyEpsLimit ?? KEY_EPS_LIMIT,
    now: ctx.receivedAt,
  });
  if (throttled) return throttled;

  const uploadTime = await writeAt(db, ctx, (tx, now) => store(tx, db.$client, project.id, req, ctx, now));
  return accepted(req.events.length, ctx, uploadTime);
}

async function store(tx: Tx, client: unknown, projectId: number, req: ValidRequest, ctx: IngestContext, now: number) {
  // identifications are not events: no dedupe, no row
  const keepRows = req.kind !== 'identify';
  const { events, newInsertIds } = keepRows ? await dropDuplicates(tx, projectId, req.events, now) : { events: req.events, newInsertIds: [] };
  if (events.length === 0) return;

  const identities = await loadIdentities(tx, projectId, events);
  const groups = await GroupState.load(
    tx,
    projectId,
    events.flatMap((e) => groupsOf(e.groups)),
  );
  const [{ maxId }] = await tx.select({ maxId: sql<number>`coalesce(max(${s.events.id}), 0)` }).from(s.events);
  const rowCtx: RowContext = {
    projectId,
    path: ctx.path,
    receivedAt: ctx.receivedAt,
    clientUploadTime: req.clientUploadTime,
    now,
    ip: ctx.ip,
    nextId: Number(maxId) + 1,
  };
  const rows = events.map((e) => buildRow(e, rowCtx, identities, groups));

  await saveIdentities(tx, client, projectId, identities);
  await groups.save(tx, projectId);
  if (!keepRows) return;
  await rememberInsertIds(tx, client, projectId, newInsertIds, now);
  await bulkInsert(
    tx,
    client,
    s.events,
    EVENT_FIELDS.map(([, c]) => c),
    rows.map((r) => EVENT_FIELDS.map(([k]) => r[k] ?? null)),
  );
}

/** Group Identify API: sets group properties; events naming the group carry them from then on. */
export async function ingestGroupIdentify(db: Db, apiKey: string, items: GroupIdentification[], ctx: IngestContext): Promise<IngestResult> {
  const project = await projectFor(db, apiKey, ctx);
  if (!('id' in project)) return project;
  const uploadTime = await writeAt(db, ctx, async (tx) => {
    const groups = await GroupState.load(
      tx,
      project.id,
      items.map((i) => i.group),
    );
    for (const i of items) groups.apply(i.group, i.ops);
    await groups.save(tx, project.id);
  });
  return accepted(items.length, ctx, uploadTime);
}
