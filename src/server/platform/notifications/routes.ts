import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  notificationIdParamsSchema,
  notificationListResponseSchema,
  notificationReadResponseSchema,
  type NotificationList,
} from '../../../contracts/notifications';
import type { Platform } from '../context';
import type { Db } from '../db/client';
import { actorOf } from '../http/access';
import { notFound } from '../http/errors';
import { organisations } from '../tenancy/schema';
import { notifications } from './schema';

/** How many notifications the bell and the page show: the newest ones. */
export const NOTIFICATION_LIST_LIMIT = 50;

/** A person's own notifications: nobody reads or marks another's (someone else's id is "not found"). */
export class NotificationService {
  constructor(private readonly p: Platform) {}

  async list(userId: string): Promise<NotificationList> {
    const rows = await this.p.db
      .select({ n: notifications, orgName: organisations.name })
      .from(notifications)
      .leftJoin(organisations, eq(organisations.id, notifications.orgId))
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(NOTIFICATION_LIST_LIMIT);
    return {
      notifications: rows.map(({ n, orgName }) => ({
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        link: n.link,
        orgId: n.orgId,
        orgName,
        createdAt: n.createdAt.toISOString(),
        readAt: n.readAt?.toISOString() ?? null,
      })),
      unreadCount: await unreadCount(this.p.db, userId),
    };
  }

  /** Marks one of the person's notifications as read (again: keeps the first time). */
  async read(userId: string, id: string): Promise<{ unreadCount: number }> {
    const [row] = await this.p.db.select({ readAt: notifications.readAt }).from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
    if (!row) throw notFound('Cette notification n’existe pas ou ne vous est pas adressée.');
    if (!row.readAt) {
      await this.p.db
        .update(notifications)
        .set({ readAt: this.p.clock.now() })
        .where(and(eq(notifications.id, id), eq(notifications.userId, userId), isNull(notifications.readAt)));
    }
    return { unreadCount: await unreadCount(this.p.db, userId) };
  }

  async readAll(userId: string): Promise<{ unreadCount: number }> {
    await this.p.db
      .update(notifications)
      .set({ readAt: this.p.clock.now() })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
    return { unreadCount: await unreadCount(this.p.db, userId) };
  }
}

async function unreadCount(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

/** The bell of the top bar and the notifications page: each person's own notifications only. */
export async function notificationRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new NotificationService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];

  r.get('/notifications', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Mes notifications, les plus récentes d’abord (50 au plus), et le nombre de non lues', response: { 200: notificationListResponseSchema } },
    handler: async (request) => service.list(actorOf(request).userId),
  });
  r.post('/notifications/:id/read', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Marquer une de mes notifications comme lue', params: notificationIdParamsSchema, response: { 200: notificationReadResponseSchema } },
    handler: async (request) => service.read(actorOf(request).userId, request.params.id),
  });
  r.post('/notifications/read-all', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Marquer toutes mes notifications comme lues', response: { 200: notificationReadResponseSchema } },
    handler: async (request) => service.readAll(actorOf(request).userId),
  });
}
