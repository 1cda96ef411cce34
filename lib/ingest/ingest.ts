// Stores one prepared request (lib/ingest/prepare.ts), all or nothing: the project by api key, the
// origin it may come from, the throttle, then one write transaction — dedupe, identities, user and
// group properties, rows. The Identify API runs the same path and keeps no event row; Group Identify
// only changes group properties. Only this part holds the write lock; the rest of a request's work
// was done before it (on a worker thread at the Node edge).
import { eq } from 'drizzle-orm';
import { runRows } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { writeTx } from '../db/write';
import { yieldToEventLoop } from '../util/yield';
import { originAllowed } from './cors';
import { groupWrite } from './group-commit';
import { keepNew } from './dedupe';
import { noteLateRows } from './late-rows';
import { completeRow, R, ROW_COLUMNS, type Row } from './event-rows';
import { GroupState, type GroupRef } from './groups';
import { setUserProps, userProps } from './identity';
import { loadIdentities, saveIdentities } from './identity-store';
import { assignProject, deviceIdOf, prepareEvents, userIdOf, type Prepared, type PreparedEvent, type PreparedEvents } from './prepare';
import { applyPropertyOps } from './properties';
import { UpdateBudget } from './property-limits';
import { INLINE_MAX, PropertySets, setId, type PendingSet } from './property-sets';
import { errorBody, type IngestResult } from './responses';
import { Throttle } from './throttle';
import type { IngestDoor } from './doors';
import type { GroupIdentification, JsonObject, ValidRequest } from './validate';

export interface IngestContext {
  /** the door the request came in by: stored as the events' `data.path`, chooses the throttle */
  path: IngestDoor;
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
const updateBudget = new UpdateBudget();
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

/** Stores a validated request (the path of callers that parsed it themselves). */
export async function ingest(db: Db, req: ValidRequest, ctx: IngestContext): Promise<IngestResult> {
  return storePrepared(db, prepareEvents(req, { path: ctx.path, receivedAt: ctx.receivedAt, ip: ctx.ip }), ctx);
}

/** Stores a prepared request: project, origin, throttle, then the write transaction. */
export async function storePrepared(db: Db, prepared: Prepared, ctx: IngestContext): Promise<IngestResult> {
  const project = await projectFor(db, prepared.apiKey, ctx);
  if (!('id' in project)) return project;
  if (prepared.type === 'groupidentify') return ingestGroupIdentify(db, project.id, prepared.items, ctx);

  assignProject(prepared, project.id);
  const throttled = (ctx.throttle ?? defaultThrottle).check({
    projectId: project.id,
    apiKey: prepared.apiKey,
    events: prepared.events.map((e, index) => ({ index, user_id: userIdOf(e) ?? undefined, device_id: deviceIdOf(e) ?? undefined })),
    epsLimit: EPS_LIMIT[ctx.path] ?? EPS_LIMIT['/batch'],
    keyEpsLimit: ctx.keyEpsLimit ?? KEY_EPS_LIMIT,
    now: ctx.receivedAt,
  });
  if (throttled) return throttled;

  const uploadTime = await groupWrite(db, prepared.events.length, { clock: ctx.clock, waitMs: ctx.writeWaitMs ?? 10_000 }, (tx, now) =>
    store(tx, db.$client, project.id, prepared, ctx, now),
  );
  return accepted(prepared.events.length, ctx, uploadTime);
}

async function store(tx: Tx, client: unknown, projectId: number, req: PreparedEvents, ctx: IngestContext, now: number) {
  // identifications are not events: no dedupe, no row
  const keepRows = req.kind !== 'identify';
  const events = keepRows ? await keepNew(tx, client, projectId, req.events, now) : req.events;
  if (events.length === 0) return;
  await yieldToEventLoop();

  const identities = await loadIdentities(
    tx,
    client,
    projectId,
    events.map((e) => ({ userId: userIdOf(e), deviceId: deviceIdOf(e) })),
  );
  const groups = await GroupState.load(
    tx,
    client,
    projectId,
    events.flatMap((e) => e.groups ?? []),
  );
  // identifications keep no row, so they name no property set
  const sets = keepRows ? new PropertySets() : null;
  const resolved = events.map((e) => resolveRow(e, identities, groups, sets, ctx.receivedAt, now));
  await yieldToEventLoop();

  const rows = resolved.map((r) => r.row);
  if (sets) {
    await sets.write(tx, projectId, now);
    for (const r of resolved) nameSets(r);
  }
  await saveIdentities(tx, client, projectId, identities);
  await groups.save(tx, client, projectId);
  await yieldToEventLoop();
  if (keepRows) {
    await runRows(tx, client, 'event_rows', ROW_COLUMNS, rows);
    await noteLateRows(tx, client, projectId, 'events', now);
  }
  if (identities.merges.length > 0) await noteLateRows(tx, client, projectId, 'merged', now);
}

/** A completed row, and the property sets it names once they are written (large properties). */
interface ResolvedRow {
  row: Row;
  userSet: number | PendingSet | null;
  groupSets: [string, string, number | PendingSet][] | null;
}

/** Fills the set columns of a resolved row, once its sets have ids. */
function nameSets(r: ResolvedRow) {
  if (r.userSet !== null) r.row[R.user_props_set] = setId(r.userSet);
  if (r.groupSets !== null) r.row[R.group_sets] = JSON.stringify(r.groupSets.map(([type, name, set]) => [type, name, setId(set)]));
}

/**
 * The event's identity, its user (or, for $groupidentify, group) operations applied in request order, and
 * its row completed. Properties longer than INLINE_MAX are named by their set (`sets`) instead of copied.
 */
function resolveRow(
  e: PreparedEvent,
  identities: Awaited<ReturnType<typeof loadIdentities>>,
  groups: GroupState,
  sets: PropertySets | null,
  receivedAt: number,
  now: number,
): ResolvedRow {
  const eventTime = e.eventTime;
  const r = identities.resolve(userIdOf(e) ?? undefined, deviceIdOf(e) ?? undefined, eventTime, now);
  const user = r.user;
  let propertiesUpdated = false;
  if (e.userOps && updateBudget.take(`${user.amplitudeId}`, now)) {
    const applied = applyPropertyOps(userProps(user), e.userOps, user.propsJson);
    if (applied.changed) setUserProps(user, applied.props, applied.json);
    propertiesUpdated = applied.changed;
  }
  const userSet = sets && user.propsJson.length > INLINE_MAX ? sets.of(user) : null;
  let groupPropertiesJson = '{}';
  let groupSets: ResolvedRow['groupSets'] = null;
  if (e.groups) {
    const entries = e.groups.map((g) => {
      if (e.groupOps) groups.apply(g, e.groupOps);
      return groups.entry(g);
    });
    if (sets && entries.reduce((n, g) => n + g.propsJson.length, 0) > INLINE_MAX) {
      groupSets = entries.map((g) => [g.ref.type, g.ref.name, sets.of(g)]);
    } else {
      const eventGroupProps: Record<string, Record<string, JsonObject>> = {};
      for (const g of e.groups) (eventGroupProps[g.type] ??= {})[g.name] = groups.props(g);
      groupPropertiesJson = JSON.stringify(eventGroupProps);
    }
  }
  const row = completeRow(e.row, {
    now,
    receivedAt,
    amplitudeId: user.amplitudeId,
    eventTime,
    userCreationTime: user.createdTime,
    firstEvent: r.firstEvent,
    propertiesUpdated,
    mergedAmplitudeId: r.mergedAmplitudeId,
    userPropertiesJson: userSet === null ? user.propsJson : '',
    groupPropertiesJson,
  });
  return { row, userSet, groupSets };
}

/** Group Identify API: sets group properties; events naming the group carry them from then on. */
async function ingestGroupIdentify(db: Db, projectId: number, items: GroupIdentification[], ctx: IngestContext): Promise<IngestResult> {
  const uploadTime = await writeAt(db, ctx, async (tx) => {
    const groups = await GroupState.load(
      tx,
      db.$client,
      projectId,
      items.map((i): GroupRef => i.group),
    );
    for (const i of items) groups.apply(i.group, i.ops);
    await groups.save(tx, db.$client, projectId);
  });
  return accepted(items.length, ctx, uploadTime);
}
