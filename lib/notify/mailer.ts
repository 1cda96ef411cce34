// Delivers the outbox over SMTP (nodemailer). Rows are written by the engine in the same transaction
// that fails a job, so an alarm email is queued exactly once; delivery retries until it succeeds.
import { and, asc, eq, isNull, lt } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';

export function smtpFromEnv(env: NodeJS.ProcessEnv = process.env): { transport: Transporter; from: string } | null {
  const from = env.MAIL_FROM || 'Spillway <spillway@localhost>';
  if (env.SMTP_URL) return { transport: nodemailer.createTransport(env.SMTP_URL), from };
  if (!env.SMTP_HOST) return null;
  return {
    transport: nodemailer.createTransport({
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT || 587),
      secure: env.SMTP_SECURE === 'true',
      auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASS ?? '' } : undefined,
      // loopback test servers have no certificate
      ignoreTLS: env.SMTP_IGNORE_TLS === 'true',
    }),
    from,
  };
}

const MAX_ATTEMPTS = 20;

/** Sends every unsent outbox row; returns how many went out. */
export async function drainOutbox(db: Db, smtp: { transport: Transporter; from: string } | null): Promise<number> {
  const pending = await db
    .select()
    .from(s.outbox)
    .where(and(isNull(s.outbox.sentAt), lt(s.outbox.attempts, MAX_ATTEMPTS)))
    .orderBy(asc(s.outbox.id))
    .limit(50);
  let sent = 0;
  for (const m of pending) {
    if (!smtp) {
      if (m.lastError === null) {
        await withWriteLock(db, () =>
          db.update(s.outbox).set({ lastError: 'SMTP is not configured (set SMTP_URL or SMTP_HOST)' }).where(eq(s.outbox.id, m.id)),
        );
      }
      continue;
    }
    if (!m.recipients) {
      await withWriteLock(db, () => db.update(s.outbox).set({ attempts: MAX_ATTEMPTS, lastError: 'no recipients' }).where(eq(s.outbox.id, m.id)));
      continue;
    }
    try {
      await smtp.transport.sendMail({ from: smtp.from, to: m.recipients, subject: m.subject, text: m.body });
      await withWriteLock(db, () =>
        db
          .update(s.outbox)
          .set({ sentAt: Date.now(), attempts: m.attempts + 1, lastError: null })
          .where(eq(s.outbox.id, m.id)),
      );
      sent++;
    } catch (e) {
      await withWriteLock(db, () =>
        db
          .update(s.outbox)
          .set({ attempts: m.attempts + 1, lastError: String((e as Error)?.message ?? e).slice(0, 500) })
          .where(eq(s.outbox.id, m.id)),
      );
    }
  }
  return sent;
}
