// S3 destinations as the UI manages them: the rules a connection must satisfy (project of the org and
// not a portfolio, a bucket owned by one organisation, no merged-ID file collisions), the principal
// its policies trust, verification before creation, and the public view (never a secret).
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { bucketPolicy, kmsKeyPolicy, roleArnFor } from '../export/policy';
import { verifyAccess, type VerifyResult } from '../export/verify';
import type { EngineConfig } from '../jobs/config';
import { createDestination, setEnabled, type Destination } from '../jobs/destinations';
import type { EndpointPolicy } from '../net/endpoint-policy';
import { sameStore, storeIdentity } from './endpoint';
import { FieldError, parseDataChoice, parsePrefix, type DestinationFields } from './fields';

export class ConflictError extends FieldError {}
export class NotFoundError extends Error {}

export interface Principal {
  /** the ARN the bucket policy and KMS key policy trust */
  arn: string;
  /** the per-project role exports assume, or null when the server's own credentials are used */
  roleArn: string | null;
}

/** Per-project IAM role when a template is configured; otherwise the server's own principal. */
export function principalFor(config: EngineConfig, projectId: number): Principal {
  const roleArn = roleArnFor(config.roleArnTemplate, projectId);
  if (roleArn) return { arn: roleArn, roleArn };
  if (config.principalArn) return { arn: config.principalArn, roleArn: null };
  throw new ConflictError(
    'principal',
    'This Spillway server has no IAM identity configured: set SPILLWAY_ROLE_ARN_TEMPLATE (one role per project) or SPILLWAY_PRINCIPAL_ARN, then restart it.',
  );
}

export function policiesFor(config: EngineConfig, f: DestinationFields) {
  const principal = principalFor(config, f.projectId);
  const bucket = bucketPolicy({ bucket: f.bucket, prefix: f.prefix, principal: principal.arn });
  const kms = f.kmsKeyArn ? kmsKeyPolicy({ principal: principal.arn, accountId: f.awsAccountId ?? accountOfArn(f.kmsKeyArn) ?? '' }) : null;
  return { principal, bucketPolicy: bucket, kmsKeyPolicy: kms };
}

function accountOfArn(arn: string): string | null {
  return /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? null;
}

async function projectOf(db: Db, orgId: number, projectId: number) {
  const [p] = await db
    .select()
    .from(s.projects)
    .where(and(eq(s.projects.id, projectId), eq(s.projects.orgId, orgId)));
  if (!p) throw new FieldError('projectId', 'That project does not exist in your organisation');
  if (p.isPortfolio) throw new FieldError('projectId', 'Portfolio projects cannot be exported: choose one of the projects that receives events');
  return p;
}

/**
 * The rules between connections. `replacing` is a connection this one takes over (KMS migration):
 * it may share the merged-ID file because it is the same project's.
 */
export async function checkAllowed(db: Db, orgId: number, f: DestinationFields, opts: { excludeId?: number; endpoints?: EndpointPolicy } = {}) {
  await projectOf(db, orgId, f.projectId);
  // the store as it really is (every spelling of one server is one), and refused when private
  const policy = opts.endpoints ?? { allowPrivate: true };
  const store = await storeIdentity(f.endpoint, policy);
  const sameName = await db
    .select({
      id: s.destinations.id,
      orgId: s.destinations.orgId,
      projectId: s.destinations.projectId,
      prefix: s.destinations.prefix,
      exportMerged: s.destinations.exportMerged,
      endpoint: s.destinations.endpoint,
    })
    .from(s.destinations)
    .where(eq(s.destinations.bucket, f.bucket));
  const others: typeof sameName = [];
  for (const d of sameName) {
    if (d.id !== opts.excludeId && sameStore(store, await storeIdentity(d.endpoint, { ...policy, allowPrivate: true }))) others.push(d);
  }
  if (others.some((d) => d.orgId !== orgId)) {
    throw new ConflictError(
      'bucket',
      'This bucket is already used by another organisation. Each bucket exports for one organisation only: choose another bucket.',
    );
  }
  // merged-ID files are named per organisation: two projects writing them to one place would overwrite each other
  if (f.exportMerged && others.some((d) => d.exportMerged && d.prefix === f.prefix && d.projectId !== f.projectId)) {
    throw new ConflictError(
      'prefix',
      'Another project already exports merged Amplitude IDs to this bucket and prefix (the files would overwrite each other): choose another prefix.',
    );
  }
}

/** Verification as the connection will run: its principal (per-project role or the server's). */
async function verify(db: Db, config: EngineConfig, orgId: number, f: DestinationFields) {
  await checkAllowed(db, orgId, f, { endpoints: config.endpoints });
  const principal = principalFor(config, f.projectId);
  return { principal, result: await verifyAccess({ ...f, roleArn: principal.roleArn }, config.s3) };
}

export async function verifyFields(db: Db, config: EngineConfig, orgId: number, f: DestinationFields): Promise<VerifyResult> {
  return (await verify(db, config, orgId, f)).result;
}

export class VerificationFailed extends Error {
  constructor(readonly result: VerifyResult) {
    super('Access verification failed: fix the permissions marked as missing, then verify again');
  }
}

/** Verifies access (again, server-side) and creates the connection: hourly exports start at once. */
export async function createVerified(db: Db, config: EngineConfig, orgId: number, userId: number, f: DestinationFields, now = Date.now()) {
  const { principal, result } = await verify(db, config, orgId, f);
  if (!result.ok) throw new VerificationFailed(result);
  // checked again: verification takes seconds, in which another connection may have claimed the bucket
  await checkAllowed(db, orgId, f, { endpoints: config.endpoints });
  const d = await createDestination(db, { orgId, createdBy: userId, ...f, roleArn: principal.roleArn, verifiedAt: now }, now);
  return { destination: d, result };
}

export async function getOwned(db: Db, orgId: number, id: number): Promise<Destination> {
  const [d] = await db
    .select()
    .from(s.destinations)
    .where(and(eq(s.destinations.id, id), eq(s.destinations.orgId, orgId)));
  if (!d) throw new NotFoundError('No such destination');
  return d;
}

export interface DestinationView extends Omit<DestinationFields, 'forcePathStyle'> {
  id: number;
  projectName: string;
  name: string;
  roleArn: string | null;
  enabled: boolean;
  disabledAt: number | null;
  startHour: number;
  plannedUntil: number;
  createdAt: number;
  createdBy: string | null;
  lastSuccessHour: number | null;
  openJobs: number;
  failedJobs: number;
  alarm: { permission: string | null; message: string; raisedAt: number } | null;
}

/** What the browser may see of a connection: no credentials. */
export async function describe(db: Db, orgId: number, ids?: number[]): Promise<DestinationView[]> {
  const rows = await db
    .select({ d: s.destinations, projectName: s.projects.name, creator: s.users.email, alarm: s.alarms })
    .from(s.destinations)
    .innerJoin(s.projects, eq(s.projects.id, s.destinations.projectId))
    .leftJoin(s.users, eq(s.users.id, s.destinations.createdBy))
    .leftJoin(s.alarms, eq(s.alarms.destinationId, s.destinations.id))
    .where(and(eq(s.destinations.orgId, orgId), ids ? inArray(s.destinations.id, ids) : undefined))
    .orderBy(desc(s.destinations.id));
  if (rows.length === 0) return [];
  // job figures of all these connections in one grouped query
  const aggs = await db
    .select({
      id: s.exportJobs.destinationId,
      last: sql<number | null>`max(case when ${s.exportJobs.state} = 'done' then ${s.exportJobs.hour} end)`,
      open: sql<number>`coalesce(sum(case when ${s.exportJobs.state} in ('pending', 'running', 'retry') then 1 else 0 end), 0)`,
      failed: sql<number>`coalesce(sum(case when ${s.exportJobs.state} = 'failed' then 1 else 0 end), 0)`,
    })
    .from(s.exportJobs)
    .where(
      inArray(
        s.exportJobs.destinationId,
        rows.map((r) => r.d.id),
      ),
    )
    .groupBy(s.exportJobs.destinationId);
  const byId = new Map(aggs.map((a) => [a.id, a]));
  const out: DestinationView[] = [];
  for (const { d, projectName, creator, alarm } of rows) {
    const agg = byId.get(d.id) ?? { last: null, open: 0, failed: 0 };
    out.push({
      id: d.id,
      projectId: d.projectId,
      projectName,
      name: d.name,
      exportEvents: d.exportEvents,
      exportMerged: d.exportMerged,
      awsAccountId: d.awsAccountId,
      bucket: d.bucket,
      region: d.region,
      prefix: d.prefix,
      endpoint: d.endpoint,
      kmsKeyArn: d.kmsKeyArn,
      roleArn: d.roleArn,
      enabled: d.enabled,
      disabledAt: d.disabledAt,
      startHour: d.startHour,
      plannedUntil: d.plannedUntil,
      createdAt: d.createdAt,
      createdBy: creator,
      lastSuccessHour: agg.last === null ? null : Number(agg.last),
      openJobs: Number(agg.open),
      failedJobs: Number(agg.failed),
      alarm: alarm ? { permission: alarm.permission, message: alarm.message, raisedAt: alarm.raisedAt } : null,
    });
  }
  return out;
}

export async function describeOne(db: Db, orgId: number, id: number): Promise<DestinationView> {
  const [v] = await describe(db, orgId, [id]);
  if (!v) throw new NotFoundError('No such destination');
  return v;
}

/** Manage Export Settings: the toggle, the prefix, the data choice. */
export async function updateSettings(db: Db, orgId: number, id: number, body: Record<string, unknown>, now = Date.now()) {
  const d = await getOwned(db, orgId, id);
  let gap: { from: number; to: number } | null = null;
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw new FieldError('enabled', 'enabled must be true or false');
    gap = (await setEnabled(db, orgId, id, body.enabled, now))?.gap ?? null;
  }
  const changes: Partial<typeof s.destinations.$inferInsert> = {};
  if (body.prefix !== undefined) changes.prefix = parsePrefix(body.prefix);
  if (body.exportEvents !== undefined || body.exportMerged !== undefined) Object.assign(changes, parseDataChoice(body, d));
  if (Object.keys(changes).length > 0) {
    const next = { ...d, ...changes };
    await checkAllowed(db, orgId, { ...next, awsAccountId: d.awsAccountId, kmsKeyArn: d.kmsKeyArn }, { excludeId: id });
    await writeTx(db, (tx) =>
      tx
        .update(s.destinations)
        .set(changes)
        .where(and(eq(s.destinations.id, id), eq(s.destinations.orgId, orgId))),
    );
  }
  return { destination: await describeOne(db, orgId, id), gap };
}

/** Deletes the connection and its job history; files already in the bucket stay. */
export async function deleteDestination(db: Db, orgId: number, id: number) {
  await getOwned(db, orgId, id);
  // explicit, child tables first: the schema's cascades need foreign_keys on, which a remote libSQL may not have
  await writeTx(db, async (tx) => {
    const jobs = tx.select({ id: s.exportJobs.id }).from(s.exportJobs).where(eq(s.exportJobs.destinationId, id));
    await tx.delete(s.exportedFiles).where(inArray(s.exportedFiles.jobId, jobs));
    await tx.delete(s.exportJobs).where(eq(s.exportJobs.destinationId, id));
    await tx.delete(s.backfills).where(eq(s.backfills.destinationId, id));
    await tx.delete(s.alarms).where(eq(s.alarms.destinationId, id));
    await tx.update(s.kmsMigrations).set({ oldDestinationId: null }).where(eq(s.kmsMigrations.oldDestinationId, id));
    await tx.update(s.kmsMigrations).set({ newDestinationId: null }).where(eq(s.kmsMigrations.newDestinationId, id));
    await tx.delete(s.destinations).where(and(eq(s.destinations.id, id), eq(s.destinations.orgId, orgId)));
  });
}
