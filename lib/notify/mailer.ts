// Delivers the outbox over SMTP (nodemailer). Rows are written by the engine in the same transaction
// that fails a job, so an alarm email is queued exactly once; delivery retries until it succeeds.
import { and, asc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock, writeTx } from '../db/write';

/** How to reach the SMTP server (lib/server/config.ts reads it from the environment). */
export type SmtpSettings =
  { url: string; from: string } | { host: string; port: number; secure: boolean; user?: string; pass: string; ignoreTLS: boolean; from: string };

export function smtpTransport(settings: SmtpSettings | null): { transport: Transporter; from: string } | null {
  if (!settings) return null;
  if ('url' in settings) return { transport: nodemailer.createTransport(settings.url), from: settings.from };
  const { host, port, secure, user, pass, ignoreTLS } = settings;
  return { transport: nodemailer.createTransport({ host, port, secure, auth: user ? { user, pass } : undefined, ignoreTLS }), from: settings.from };
}

const MAX_ATTEMPTS = 20;

// how long an instance may take to send one claimed batch before another may take it over
const CLAIM_MS = 5 * 60_000;

/**
 * Claims up to 50 unsent rows for this instance in one write: rows another instance claimed (and has
 * not finished) are skipped, so several instances draining the outbox send each email once.
 */
async function claim(db: Db, now: number) {
  return writeTx(db, async (tx) => {
    const ids = await tx
      .select({ id: s.outbox.id })
      .from(s.outbox)
      .where(and(isNull(s.outbox.sentAt), lt(s.outbox.attempts, MAX_ATTEMPTS), or(isNull(s.outbox.claimedUntil), lt(s.outbox.claimedUntil, now))))
      .orderBy(asc(s.outbox.id))
      .limit(50);
    if (ids.length === 0) return [];
    return tx
      .update(s.outbox)
      .set({ claimedUntil: now + CLAIM_MS })
      .where(
        inArray(
          s.outbox.id,
          ids.map((r) => r.id),
        ),
      )
      .returning();
  });
}

/** Sends every unsent outbox row this instance can claim; returns how many went out. */
export async function drainOutbox(db: Db, smtp: { transport: Transporter; from: string } | null, now = Date.now()): Promise<number> {
  if (!smtp) {
    // nothing can be sent: say why on the rows that do not say it yet (the Notifications page shows it)
    const unexplained = and(isNull(s.outbox.sentAt), isNull(s.outbox.lastError));
    if ((await db.select({ id: s.outbox.id }).from(s.outbox).where(unexplained).limit(1)).length > 0) {
      await withWriteLock(db, () => db.update(s.outbox).set({ lastError: 'SMTP is not configured (set SMTP_URL or SMTP_HOST)' }).where(unexplained));
    }
    return 0;
  }
  const pending = await claim(db, now);
  let sent = 0;
  const settle = (id: number, set: Partial<typeof s.outbox.$inferInsert>) =>
    withWriteLock(db, () =>
      db
        .update(s.outbox)
        .set({ ...set, claimedUntil: null })
        .where(eq(s.outbox.id, id)),
    );
  for (const m of pending) {
    if (!m.recipients) {
      await settle(m.id, { attempts: MAX_ATTEMPTS, lastError: 'no recipients' });
      continue;
    }
    try {
      await smtp.transport.sendMail({ from: smtp.from, to: m.recipients, subject: m.subject, text: m.body });
      await settle(m.id, { sentAt: Date.now(), attempts: m.attempts + 1, lastError: null });
      sent++;
    } catch (e) {
      await settle(m.id, { attempts: m.attempts + 1, lastError: String((e as Error)?.message ?? e).slice(0, 500) });
    }
  }
  return sent;
}
