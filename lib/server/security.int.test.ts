// Every entry point against the running app (`next start`, a fresh libSQL file): organisation
// isolation on each route, admin-only actions, CSRF, cookies and headers, the cron secret,
// invitations, and a corpus of malformed and hostile requests that must get a clear 4xx with
// nothing written and the server still up.
import { count, eq } from 'drizzle-orm';
import type { SQLiteTable, SQLiteView } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import * as s from '../db/schema';
import { startBackfill } from '../jobs/backfill';
import { startMigration } from '../destinations/migration';
import { createProject } from '../projects/projects';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDbUrl } from '../../test/support/db';
import { rgwDestination, testConfig } from '../../test/support/engine';
import { seedOrg } from '../../test/support/seed';

let app: RunningApp;
let database: Database;
let A: Awaited<ReturnType<typeof seedOrg>>;
let B: Awaited<ReturnType<typeof seedOrg>>;
let destA: number;
let destB: number;
let backfillB: number;
let migrationB: number;
const CRON_SECRET = 'cron-secret-for-tests-0123456789';

beforeAll(async () => {
  const url = freshDbUrl();
  database = await openDatabase({ url });
  const db = database.db;
  A = await seedOrg(db, 'a');
  B = await seedOrg(db, 'b');
  destA = (await rgwDestination(db, { orgId: A.org.id, projectId: A.project.id, bucket: 'bucket-of-a', createdBy: A.admin.id })).id;
  destB = (
    await rgwDestination(db, {
      orgId: B.org.id,
      projectId: B.project.id,
      bucket: 'bucket-of-b',
      createdBy: B.admin.id,
      accessKeyId: 'AKIASECRETKEYID',
      secretAccessKeyEnc: 'ciphertext',
    })
  ).id;
  backfillB = (await startBackfill(db, testConfig(), { destinationId: destB, from: Date.now() - 5 * 86_400_000, to: Date.now() - 4 * 86_400_000 })).id;
  migrationB = (await startMigration(db, B.org.id, destB)).id;
  await db
    .insert(s.outbox)
    .values({ orgId: B.org.id, destinationId: destB, recipients: B.admin.email, subject: 'B secret subject', body: 'b', createdAt: Date.now() });
  app = await startApp({ DATABASE_URL: url, CRON_SECRET, SPILLWAY_PRINCIPAL_ARN: 'arn:aws:iam::123456789012:user/spillway' });
});
afterAll(async () => {
  await app?.stop();
  database?.close();
});

type Caller = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;

async function signIn(email: string, password = 'correct horse battery'): Promise<Caller> {
  const r = await fetch(`${app.url}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ email, password }),
  });
  expect(r.status).toBe(200);
  const cookie = r.headers.get('set-cookie')!.split(';')[0];
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { cookie, origin: app.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

const counts = async () => {
  const db = database.db;
  const n = async (t: SQLiteTable | SQLiteView) => (await db.select({ n: count() }).from(t))[0].n;
  return {
    events: await n(s.events),
    users: await n(s.users),
    destinations: await n(s.destinations),
    backfills: await n(s.backfills),
    projects: await n(s.projects),
    invitations: await n(s.invitations),
    migrations: await n(s.kmsMigrations),
    orgs: await n(s.organizations),
  };
};

describe('organisation isolation', () => {
  it('an admin of A can neither see nor change anything of B, on every route', async () => {
    const a = await signIn(A.admin.email);
    const before = await counts();
    const tries: [string, string, unknown?][] = [
      ['GET', `/api/destinations/${destB}`],
      ['PATCH', `/api/destinations/${destB}`, { enabled: false }],
      ['DELETE', `/api/destinations/${destB}`],
      ['GET', `/api/destinations/${destB}/jobs`],
      ['GET', `/api/destinations/${destB}/chart`],
      ['GET', `/api/destinations/${destB}/backfills`],
      ['POST', `/api/destinations/${destB}/backfills`, { from: '2026-01-01', to: '2026-01-02' }],
      ['DELETE', `/api/destinations/${destB}/backfills/${backfillB}`],
      ['POST', `/api/destinations/${destB}/retry`, {}],
      ['POST', `/api/destinations/${destB}/migration`, {}],
      ['GET', `/api/migrations/${migrationB}`],
      ['PATCH', `/api/migrations/${migrationB}`, { step: '1', done: true }],
      ['POST', `/api/migrations/${migrationB}/policies`, { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/x' }],
      ['POST', `/api/migrations/${migrationB}/connect`, { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/x' }],
      ['POST', `/api/migrations/${migrationB}/action`, { action: 'disable-old' }],
      ['POST', `/api/projects/${B.project.id}/rotate-key`, {}],
    ];
    for (const [method, path, body] of tries) {
      const r = await a(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('bucket-of-b');
    }
    // lists show only A's things
    const lists = [
      await a('GET', '/api/destinations'),
      await a('GET', '/api/projects'),
      await a('GET', '/api/stats'),
      await a('GET', '/api/notifications'),
      await a('GET', '/api/users'),
      await a('GET', '/api/invitations'),
    ];
    for (const l of lists) {
      expect(l.status).toBe(200);
      const text = JSON.stringify(l.body);
      expect(text).not.toContain('bucket-of-b');
      expect(text).not.toContain(B.project.apiKey!);
      expect(text).not.toContain(B.admin.email);
      expect(text).not.toContain('B secret subject');
    }
    // a setup form naming A's project with B's project id is refused too
    const f = { projectId: B.project.id, bucket: 'fresh-bucket-x', region: 'us-east-1', endpoint: 'http://127.0.0.1:7480', exportEvents: true };
    expect((await a('POST', '/api/destinations/policy', f)).status).toBe(400);
    expect(await counts()).toEqual(before);
    const [bDest] = await database.db.select().from(s.destinations).where(eqId(destB));
    expect(bDest.enabled).toBe(true);
  });

  it('a bucket already used by another organisation is refused', async () => {
    const a = await signIn(A.admin.email);
    const f = { projectId: A.project.id, bucket: 'bucket-of-b', region: 'us-east-1', endpoint: 'http://127.0.0.1:7480', exportEvents: true };
    const r = await a('POST', '/api/destinations/policy', f);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/another organisation/);
    expect((await a('POST', '/api/destinations', f)).status).toBe(409);
  });

  it('portfolio projects cannot be export sources', async () => {
    const portfolio = await createProject(database.db, A.org.id, 'Portfolio', { isPortfolio: true });
    const a = await signIn(A.admin.email);
    const r = await a('POST', '/api/destinations/policy', {
      projectId: portfolio.id,
      bucket: 'portfolio-bucket',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:7480',
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ field: 'projectId' });
    expect(String(r.body.error)).toMatch(/Portfolio/);
  });

  it('connection responses never carry credentials', async () => {
    const b = await signIn(B.admin.email);
    const r = await b('GET', `/api/destinations/${destB}`);
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body);
    expect(text).not.toContain('AKIASECRETKEYID');
    expect(text).not.toContain('ciphertext');
    expect(text).not.toMatch(/secretAccessKey|accessKeyId/);
  });
});

const eqId = (id: number) => eq(s.destinations.id, id);

describe('roles', () => {
  it('a member views status but cannot change connections, start backfills or invite', async () => {
    const m = await signIn(A.member.email);
    expect((await m('GET', `/api/destinations/${destA}`)).status).toBe(200);
    expect((await m('GET', `/api/destinations/${destA}/jobs`)).status).toBe(200);
    const before = await counts();
    const denied: [string, string, unknown?][] = [
      ['POST', `/api/destinations/${destA}/backfills`, { from: '2026-01-01', to: '2026-01-02' }],
      ['PATCH', `/api/destinations/${destA}`, { enabled: false }],
      ['DELETE', `/api/destinations/${destA}`],
      ['POST', `/api/destinations/${destA}/retry`, {}],
      ['POST', `/api/destinations/${destA}/migration`, {}],
      ['POST', '/api/destinations', { projectId: A.project.id, bucket: 'x-bucket', endpoint: 'http://127.0.0.1:7480' }],
      ['POST', '/api/destinations/verify', { projectId: A.project.id, bucket: 'x-bucket', endpoint: 'http://127.0.0.1:7480' }],
      ['POST', '/api/invitations', { email: 'new@example.com', role: 'admin' }],
      ['POST', '/api/projects', { name: 'nope' }],
      ['POST', `/api/projects/${A.project.id}/rotate-key`, {}],
      ['GET', '/api/notifications'],
    ];
    for (const [method, path, body] of denied) {
      const r = await m(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    expect(await counts()).toEqual(before);
    // members see that a key exists, not the key
    expect(JSON.stringify((await m('GET', '/api/projects')).body)).not.toContain(A.project.apiKey!);
  });

  it('no session: 401 everywhere', async () => {
    for (const path of ['/api/destinations', `/api/destinations/${destA}`, '/api/projects', '/api/notifications', `/api/migrations/${migrationB}`]) {
      const r = await fetch(`${app.url}${path}`);
      expect(r.status, path).toBe(401);
    }
  });
});

describe('web hardening', () => {
  it('refuses cross-site writes (Origin check)', async () => {
    const a = await signIn(A.admin.email);
    const evil = await a('PATCH', `/api/destinations/${destA}`, { enabled: false }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    const [d] = await database.db.select().from(s.destinations).where(eqId(destA));
    expect(d.enabled).toBe(true);
  });

  it('session cookie flags and security headers', async () => {
    const r = await fetch(`${app.url}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ email: A.admin.email, password: 'correct horse battery' }),
    });
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    // Secure behind HTTPS: see attacks.int.test.ts (X-Forwarded-Proto counts only from a trusted proxy)
    const page = await fetch(`${app.url}/destinations`);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('referrer-policy')).toBeTruthy();
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sign-in is rate limited', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${app.url}/api/auth/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: app.url },
        body: JSON.stringify({ email: 'victim@example.com', password: `guess-${i}-xxxxxxxx` }),
      });
      last = r.status;
    }
    expect(last).toBe(429);
  });

  it('the cron needs the secret (constant-time compared)', async () => {
    expect((await fetch(`${app.url}/api/cron`)).status).toBe(401);
    expect((await fetch(`${app.url}/api/cron`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${app.url}/api/cron`, { headers: { authorization: `Bearer ${CRON_SECRET}x` } })).status).toBe(401);
    const ok = await fetch(`${app.url}/api/cron`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveProperty('jobs');
  });
});

describe('invitations', () => {
  it('an admin invites, the invitee joins with the role, and the link works once', async () => {
    const a = await signIn(A.admin.email);
    const inv = await a('POST', '/api/invitations', { email: 'Invitee@Example.com', role: 'member' });
    expect(inv.status).toBe(201);
    const token = String(inv.body.link).split('#')[1];
    const post = (body: unknown) =>
      fetch(`${app.url}/api/invitations/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: app.url },
        body: JSON.stringify(body),
      });
    const info = await post({ token });
    expect(await info.json()).toMatchObject({ email: 'invitee@example.com', role: 'member', orgName: A.org.name });
    expect((await post({ token, password: 'short' })).status).toBe(400);
    const joined = await post({ token, password: 'a long enough password', name: 'Ivy' });
    expect(joined.status).toBe(201);
    expect((await post({ token, password: 'a long enough password' })).status).toBe(400);
    const ivy = await signIn('invitee@example.com', 'a long enough password');
    const me = await ivy('GET', '/api/me');
    expect(me.body).toMatchObject({ user: { orgId: A.org.id, role: 'member' } });
    expect((await post({ token: 'x'.repeat(43) })).status).toBe(404);
  });
});

describe('hostile input', () => {
  const big = 'x'.repeat(10 * 1024 * 1024);
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  const bodies: [string, string | undefined, string][] = [
    ['bad json', '{"api_key": ', 'application/json'],
    ['wrong types', JSON.stringify({ api_key: 42, events: 'nope' }), 'application/json'],
    ['array body', JSON.stringify([1, 2, 3]), 'application/json'],
    ['deep nesting', deep, 'application/json'],
    ['10 MB', JSON.stringify({ api_key: 'k', events: [{ event_type: big }] }), 'application/json'],
    ['unknown keys', JSON.stringify({ zzz: 1, __proto__: { admin: true }, constructor: { prototype: {} } }), 'application/json'],
    [
      'sql in strings',
      JSON.stringify({
        api_key: "' OR 1=1; DROP TABLE events; --",
        email: "admin'--",
        password: "' OR '1'='1",
        events: [{ user_id: "'; DROP TABLE users; --", event_type: 'x' }],
      }),
      'application/json',
    ],
    [
      'html in strings',
      JSON.stringify({ api_key: '<script>alert(1)</script>', orgName: '<img src=x onerror=alert(1)>', email: '<b>@x.y', password: '<svg onload=alert(1)>' }),
      'application/json',
    ],
    ['wrong content type', 'email=a&password=b', 'application/x-www-form-urlencoded'],
    ['empty', '', 'application/json'],
    ['null', 'null', 'application/json'],
    ['binary', '\u0000\u0001\u00ff\ufffe', 'application/octet-stream'],
    [
      '1,000,000 keys',
      `{"api_key":"k","events":[{"device_id":"d-12345","event_type":"x","event_properties":{${Array.from({ length: 1_000_000 }, (_, i) => `"k${i}":1`).join(',')}}}]}`,
      'application/json',
    ],
    [
      'wide array',
      `{"api_key":"k","events":[{"device_id":"d-12345","event_type":"x","event_properties":{"a":[${'0,'.repeat(3_000_000)}0]}}]}`,
      'application/json',
    ],
    [
      'huge string',
      JSON.stringify({ api_key: 'k', events: [{ device_id: 'd-12345', event_type: 'x', event_properties: { s: 'y'.repeat(15_000_000) } }] }),
      'application/json',
    ],
  ];
  const publicRoutes = ['/2/httpapi', '/batch', '/api/auth/signin', '/api/setup', '/api/invitations/accept'];

  it('every public route answers each with a clear 4xx, writes nothing, and stays up', async () => {
    const before = await counts();
    for (const path of publicRoutes) {
      for (const [label, body, type] of bodies) {
        const r = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': type, origin: app.url }, body });
        const text = await r.text();
        expect(r.status, `${path} ${label}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${path} ${label}: ${text.slice(0, 200)}`).toBeLessThan(500);
        const parsed = JSON.parse(text);
        expect(typeof parsed.error, `${path} ${label}`).toBe('string');
      }
    }
    expect(await counts()).toEqual(before);
    expect((await fetch(`${app.url}/api/setup`)).status).toBe(200);
  });

  it('the form doors of the legacy SDKs answer each with a 4xx word and a reason, and write nothing', async () => {
    const before = await counts();
    for (const path of ['/', '/httpapi', '/identify', '/groupidentify']) {
      for (const [label, body, type] of bodies) {
        const r = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': type, origin: app.url }, body });
        const text = await r.text();
        expect(r.status, `${path} ${label}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${path} ${label}: ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(text, `${path} ${label}`).toMatch(/^[a-z_]+$|^Request Entity Too Large$/);
        expect(r.headers.get('x-spillway-error'), `${path} ${label}`).toBeTruthy();
      }
      // the same shapes inside the form field that carries the JSON
      for (const [label, body] of bodies.slice(0, 6)) {
        const field = path === '/' ? 'e' : path === '/httpapi' ? 'event' : 'identification';
        const r = await fetch(`${app.url}${path}`, {
          method: 'POST',
          body: new URLSearchParams({ api_key: A.project.apiKey!, client: A.project.apiKey!, [field]: body ?? '' }),
        });
        expect(r.status, `${path} form ${label}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${path} form ${label}`).toBeLessThan(500);
      }
    }
    expect(await counts()).toEqual(before);
    expect((await fetch(`${app.url}/api/setup`)).status).toBe(200);
  });

  it('authenticated routes reject bad ids, queries and fields with 4xx', async () => {
    const a = await signIn(A.admin.email);
    const before = await counts();
    const cases: [string, string, unknown?][] = [
      ['GET', '/api/destinations/abc'],
      ['GET', '/api/destinations/99999999999999999999'],
      ['GET', '/api/destinations/-1/jobs'],
      ['GET', `/api/destinations/${destA}/jobs?state=<script>`],
      ['GET', `/api/destinations/${destA}/jobs?pageSize=100000`],
      ['GET', `/api/destinations/${destA}/jobs?from=yesterday`],
      ['GET', `/api/destinations/${destA}/chart?hours=1e9`],
      ['POST', `/api/destinations/${destA}/backfills`, { from: 'soon', to: '2026-01-01' }],
      ['POST', `/api/destinations/${destA}/backfills`, { from: '2026-02-01', to: '2026-01-01' }],
      ['POST', `/api/destinations/${destA}/backfills`, { from: ['2026-01-01'], to: { $gt: '' } }],
      ['PATCH', `/api/destinations/${destA}`, { enabled: 'yes' }],
      ['PATCH', `/api/destinations/${destA}`, { prefix: '../../etc/' }],
      ['PATCH', `/api/destinations/${destA}`, { exportEvents: false, exportMerged: false }],
      ['POST', '/api/destinations/policy', { projectId: '1; DROP TABLE projects', bucket: 'x' }],
      ['POST', '/api/destinations/policy', { projectId: A.project.id, bucket: 'UPPER_case', region: 'us-east-1', awsAccountId: '123456789012' }],
      ['POST', '/api/destinations/policy', { projectId: A.project.id, bucket: 'ok-bucket', region: 'us-east-1', awsAccountId: '12' }],
      ['POST', '/api/destinations/policy', { projectId: A.project.id, bucket: 'ok-bucket', endpoint: 'javascript:alert(1)' }],
      [
        'POST',
        '/api/destinations/policy',
        { projectId: A.project.id, bucket: 'ok-bucket', region: 'us-east-1', awsAccountId: '123456789012', kmsKeyArn: 'not-an-arn' },
      ],
      ['POST', '/api/destinations/verify', 'not json'],
      ['POST', '/api/invitations', { email: 'x', role: 'owner' }],
      ['PATCH', `/api/migrations/abc`, { step: '1', done: true }],
    ];
    for (const [method, path, body] of cases) {
      const r = await a(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBeLessThan(500);
      expect(typeof r.body.error).toBe('string');
    }
    expect(await counts()).toEqual(before);
  });
});
