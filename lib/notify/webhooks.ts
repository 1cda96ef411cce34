// An organisation's webhooks: set up on the Notifications page, told of failed, recovered and overdue
// exports (lib/jobs/webhook-events.ts queues the messages). Each delivery is a POST of JSON (Spillway's
// event, or {"text": …} for Slack-compatible receivers), signed with the webhook's secret:
//   X-Spillway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
// claimed by one instance at a time (as the outbox's emails), retried with backoff until it is taken
// (2xx), at most MAX_ATTEMPTS times. Outbound connections go through the process's guard, and a URL
// given here must name a public address unless private endpoints are allowed.
import { and, asc, desc, eq, inArray, lte } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { claimUnsent } from '../db/claim';
import { withWriteLock, writeTx } from '../db/write';
import type { EndpointPolicy } from '../net/endpoint-policy';
import { isIp, isPublicIp } from '../net/address';
import { toHex } from '../util/hash';
import { InputError, AppError } from '../util/errors';

export const MAX_ATTEMPTS = 12;
const CLAIM_MS = 60_000;
const TIMEOUT_MS = 10_000;

/** Waits after the nth failed attempt: 30 s doubling, at most an hour. */
export const backoffMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

async function checkUrl(raw: unknown, policy: EndpointPolicy): Promise<string> {
  if (typeof raw !== 'string' || raw.length > 2048) throw new InputError('url must be an http(s) URL of at most 2,048 characters', { field: 'url' });
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new InputError('url must be an http(s) URL such as https://hooks.example.com/spillway', { field: 'url' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError('url must start with https:// (or http://)', { field: 'url' });
  if (u.username || u.password) throw new InputError('Put no credentials in the URL: deliveries are signed with the webhook secret', { field: 'url' });
  if (!policy.allowPrivate) {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIp(host) ? [host] : host === 'localhost' ? ['127.0.0.1'] : await (policy.resolve?.(host) ?? Promise.resolve([]));
    if (addresses.length === 0) throw new InputError(`The host name ${host} does not resolve (DNS)`, { field: 'url' });
    if (addresses.some((a) => !isPublicIp(a)))
      throw new InputError(
        'The URL resolves to a private or local address: Spillway calls public addresses only (SPILLWAY_ALLOW_PRIVATE_ENDPOINTS=true allows your own network)',
        {
          field: 'url',
        },
      );
  }
  return u.toString();
}

/** Adds a webhook: `{url, format?: 'json' | 'slack'}`. Its signing secret is made here. */
export async function addWebhook(db: Db, orgId: number, body: Record<string, unknown>, policy: EndpointPolicy, now = Date.now()) {
  const url = await checkUrl(body.url, policy);
  const format = body.format ?? 'json';
  if (format !== 'json' && format !== 'slack') throw new InputError('format is "json" or "slack"', { field: 'format' });
  const count = await db.select({ id: s.webhooks.id }).from(s.webhooks).where(eq(s.webhooks.orgId, orgId));
  if (count.length >= 10) throw new InputError('An organisation has at most 10 webhooks');
  const secret = toHex(crypto.getRandomValues(new Uint8Array(24)));
  const [w] = await withWriteLock(db, () => db.insert(s.webhooks).values({ orgId, url, format, secret, createdAt: now }).returning());
  return w;
}

export async function deleteWebhook(db: Db, orgId: number, id: number) {
  const gone = await writeTx(db, async (tx) => {
    const [w] = await tx
      .select({ id: s.webhooks.id })
      .from(s.webhooks)
      .where(and(eq(s.webhooks.id, id), eq(s.webhooks.orgId, orgId)));
    if (!w) return false;
    // child rows first: a remote libSQL may not cascade
    await tx.delete(s.webhookDeliveries).where(eq(s.webhookDeliveries.webhookId, id));
    await tx.delete(s.webhooks).where(eq(s.webhooks.id, id));
    return true;
  });
  if (!gone) throw new AppError('not_found', 'No such webhook in your organisation');
}

/** The organisation's webhooks (with their secrets: admins configure the receivers) and their last deliveries. */
export async function webhooksOf(db: Db, orgId: number) {
  const hooks = await db.select().from(s.webhooks).where(eq(s.webhooks.orgId, orgId)).orderBy(asc(s.webhooks.id));
  const deliveries = hooks.length
    ? await db
        .select()
        .from(s.webhookDeliveries)
        .where(
          inArray(
            s.webhookDeliveries.webhookId,
            hooks.map((h) => h.id),
          ),
        )
        .orderBy(desc(s.webhookDeliveries.id))
        .limit(100)
    : [];
  return {
    webhooks: hooks,
    deliveries: deliveries.map(({ payload, claimedUntil: _c, ...d }) => ({ ...d, text: (JSON.parse(payload) as { text: string }).text })),
  };
}

/** The signature header of `body` sent at `t` (unix seconds). */
export async function signature(secret: string, t: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${t}.${body}`));
  return `t=${t},v1=${toHex(mac)}`;
}

/** Sends the deliveries due that this instance can claim; returns how many were taken by their receivers. */
export async function deliverWebhooks(db: Db, now = Date.now()): Promise<number> {
  const d = s.webhookDeliveries;
  const due = await claimUnsent(db, d, { now, claimMs: CLAIM_MS, maxAttempts: MAX_ATTEMPTS, due: lte(d.nextAttemptAt, now) });
  if (due.length === 0) return 0;
  const hooks = new Map(
    (
      await db
        .select()
        .from(s.webhooks)
        .where(
          inArray(
            s.webhooks.id,
            due.map((m) => m.webhookId),
          ),
        )
    ).map((h) => [h.id, h]),
  );
  let sent = 0;
  for (const m of due) {
    const hook = hooks.get(m.webhookId);
    if (!hook) continue;
    const message = JSON.parse(m.payload) as { text: string };
    const body = hook.format === 'slack' ? JSON.stringify({ text: message.text }) : m.payload;
    const settle = (set: Partial<typeof s.webhookDeliveries.$inferInsert>) =>
      withWriteLock(db, () =>
        db
          .update(s.webhookDeliveries)
          .set({ ...set, claimedUntil: null })
          .where(eq(s.webhookDeliveries.id, m.id)),
      );
    try {
      const t = Math.floor(Date.now() / 1000);
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Spillway-Webhooks',
          'x-spillway-event': m.event,
          'x-spillway-signature': await signature(hook.secret, t, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) throw new Error(`the receiver answered ${res.status}`);
      await settle({ sentAt: Date.now(), attempts: m.attempts + 1, lastError: null });
      sent++;
    } catch (e) {
      const attempts = m.attempts + 1;
      const cause = (e as { cause?: { code?: string } })?.cause?.code;
      await settle({
        attempts,
        nextAttemptAt: Date.now() + backoffMs(attempts),
        lastError: `${(e as Error)?.message ?? e}${cause ? ` (${cause})` : ''}`.slice(0, 500),
      });
    }
  }
  return sent;
}
