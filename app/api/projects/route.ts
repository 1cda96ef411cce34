import { createProject, listProjects } from '@/lib/projects/projects';
import { withWriteLock } from '@/lib/db/write';
import { HttpError, json, readJson, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const GET = withUser('member', async (_req, { db, user }) => {
  const projects = await listProjects(db, user.orgId);
  // members see that a key exists; only admins see the key itself
  return json({ projects: projects.map((p) => ({ ...p, apiKey: user.role === 'admin' ? p.apiKey : p.apiKey ? '••••••••' : null })) });
});

export const POST = withUser('admin', async (request, { db, user }) => {
  const b = await readJson(request);
  if (typeof b.name !== 'string') throw new HttpError(400, 'name is required');
  if (b.isPortfolio !== undefined && typeof b.isPortfolio !== 'boolean') throw new HttpError(400, 'isPortfolio must be true or false');
  const project = await withWriteLock(db, () => createProject(db, user.orgId, b.name as string, { isPortfolio: b.isPortfolio === true }));
  return json({ project }, 201);
});
