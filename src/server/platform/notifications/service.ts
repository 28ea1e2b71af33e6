import type { Db } from '../db/client';
import { notifications } from './schema';

export interface NewNotification {
  userId: string;
  orgId?: string | null;
  kind: string;
  title: string;
  body?: string;
  /** A path inside the web app, e.g. "/incidents/…". */
  link?: string | null;
}

/** Writes in-app notifications in the caller's transaction, so they land with the change they announce. */
export async function writeNotifications(tx: Db, items: NewNotification[], now: Date): Promise<void> {
  if (items.length === 0) return;
  // One per person and subject: a person who holds two roles is told once.
  const seen = new Set<string>();
  const rows = items.filter((n) => {
    const key = `${n.userId}|${n.kind}|${n.link ?? ''}|${n.title}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  await tx.insert(notifications).values(rows.map((n) => ({ userId: n.userId, orgId: n.orgId ?? null, kind: n.kind, title: n.title.slice(0, 300), body: (n.body ?? '').slice(0, 2000), link: n.link ?? null, createdAt: now })));
}
