import { and, eq, lt } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import type { JobQueue } from '../jobs/queue';
import { mails } from './schema';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** Where mails actually go: SMTP in real life, memory in tests. */
export interface MailTransport {
  deliver(mail: OutgoingMail & { from: string }): Promise<void>;
}

export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async deliver(mail) {
      await transporter.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}

export class MemoryTransport implements MailTransport {
  readonly sent: (OutgoingMail & { from: string })[] = [];
  async deliver(mail: OutgoingMail & { from: string }) {
    this.sent.push(mail);
  }
}

export const MAIL_JOB = 'mail.send';
/** A send that has not finished after this long was lost (the process died). */
const CLAIM_TIMEOUT_MS = 10 * 60_000;

/**
 * Mails go through an outbox: the row is written in the caller's transaction, then a
 * durable job delivers it. Without a transport (no SMTP configured) the mail is kept
 * in the database for administrators to read.
 */
export class MailService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly transport: MailTransport | null,
    private readonly from: string,
  ) {}

  /** Writes the mail in `tx`; call `dispatch` with the result once the transaction has committed. */
  async enqueue(tx: Db, mail: OutgoingMail): Promise<string> {
    const [row] = await tx
      .insert(mails)
      .values({ ...mail, status: this.transport ? 'queued' : 'kept', createdAt: this.clock.now() })
      .returning({ id: mails.id });
    return row.id;
  }

  async dispatch(mailIds: string[]): Promise<void> {
    if (!this.transport) return;
    for (const mailId of mailIds) await this.jobs.send(MAIL_JOB, { mailId }, { key: mailId });
  }

  /**
   * The job: claim the mail atomically (two jobs for one mail never both send it),
   * deliver, then erase the body (it may hold a single-use link).
   */
  async deliver(mailId: string): Promise<void> {
    if (!this.transport) return;
    const [mail] = await this.db
      .update(mails)
      .set({ status: 'sending', claimedAt: this.clock.now() })
      .where(and(eq(mails.id, mailId), eq(mails.status, 'queued')))
      .returning();
    if (!mail || mail.text === null) return;
    try {
      await this.transport.deliver({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (err) {
      await this.db.update(mails).set({ status: 'queued', claimedAt: null, error: (err as Error).message.slice(0, 500) }).where(eq(mails.id, mailId));
      throw err; // the queue retries with backoff
    }
    await this.db.update(mails).set({ status: 'sent', text: null, error: null, sentAt: this.clock.now() }).where(eq(mails.id, mailId));
  }

  /** After a crash: queue again what is still waiting, and what a dead worker had claimed. */
  async requeueStale(olderThanMs = 60_000): Promise<void> {
    if (!this.transport) return;
    const now = this.clock.now().getTime();
    await this.db
      .update(mails)
      .set({ status: 'queued', claimedAt: null })
      .where(and(eq(mails.status, 'sending'), lt(mails.claimedAt, new Date(now - CLAIM_TIMEOUT_MS))));
    const stale = await this.db
      .select({ id: mails.id })
      .from(mails)
      .where(and(eq(mails.status, 'queued'), lt(mails.createdAt, new Date(now - olderThanMs))));
    await this.dispatch(stale.map((m) => m.id));
  }

  async start(): Promise<void> {
    if (!this.transport) return;
    await this.jobs.work<{ mailId: string }>(MAIL_JOB, ({ mailId }) => this.deliver(mailId));
    await this.requeueStale(0);
  }
}
