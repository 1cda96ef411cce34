// Delivers the outbox over SMTP (nodemailer). Rows are written by the engine in the same transaction
// that fails a job, so an alarm email is queued exactly once; delivery retries until it succeeds.
import { and, eq, isNull } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { claimUnsent } from '../db/claim';
import { withWriteLock } from '../db/write';

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
  const pending = await claimUnsent(db, s.outbox, { now, claimMs: CLAIM_MS, maxAttempts: MAX_ATTEMPTS });
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
