// The rules between connections: the project is the organisation's and not a portfolio, a bucket
// belongs to one organisation (compared by the store's identity, endpoint.ts), and two projects never
// write merged-ID files to one place. Also the one lookup every route uses: a connection of the org.
import { and, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import type { EndpointPolicy } from '../net/endpoint-policy';
import { sameStore, storeIdentity } from './endpoint';
import { ConflictError, NotFoundError } from './errors';
import { FieldError, type DestinationFields } from './fields';
import type { Destination } from './lifecycle';
import { orgRow } from '../db/org-row';

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

export async function getOwned(db: Db, orgId: number, id: number): Promise<Destination> {
  const d = await orgRow(db, s.destinations, orgId, id);
  if (!d) throw new NotFoundError('No such destination');
  return d;
}
