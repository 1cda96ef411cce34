import { addProject, projectsFor } from '@/lib/projects/projects';
import { json, readJson, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const GET = withUser('member', async (_req, { db, user }) => json({ projects: await projectsFor(db, user.orgId, user.role) }));

export const POST = withUser('admin', async (request, { db, user }) => json({ project: await addProject(db, user.orgId, await readJson(request)) }, 201));
