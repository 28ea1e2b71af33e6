import type { Config } from '../config';
import type { AuditEvent } from './audit/service';
import type { SecretBox } from './auth/crypto';
import type { SessionStore } from './auth/sessions';
import type { Clock } from './clock';
import type { Database, Db } from './db/client';
import type { FileStore } from './files/store';
import type { JobQueue } from './jobs/queue';
import type { MailService } from './mail/service';
import type { NewNotification } from './notifications/service';

/** The platform services every module receives; modules never reach further. */
export interface Platform {
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  secrets: SecretBox;
  sessions: SessionStore;
  jobs: JobQueue;
  mail: MailService;
  /** Uploaded files (evidence, documents): on disk by default, in memory in tests. */
  files: FileStore;
  /** Appends to the audit log, inside `tx` when given (the entry lands with the change). */
  audit(event: AuditEvent, tx?: Db): Promise<void>;
  /** In-app notifications, written in `tx` so they land with the change they announce. */
  notify(tx: Db, items: NewNotification[]): Promise<void>;
  version: string;
}

/** Who is calling and from where: built by the HTTP layer from the session, never from input. */
export interface RequestMeta {
  ip: string;
  userAgent?: string;
}
