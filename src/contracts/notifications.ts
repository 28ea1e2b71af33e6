import { z } from 'zod';

/** In-app notifications: what a person is told about (a deadline, an alert, a declaration…). */

export const notificationSchema = z.object({
  id: z.uuid(),
  /** What kind of thing it is ("incident.alert", "incident.deadline"…): the web app picks an icon from it. */
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  /** A path inside the web app ("/alertes/…"), never an external address. */
  link: z.string().nullable(),
  orgId: z.uuid().nullable(),
  orgName: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** The signed-in person's own notifications, newest first (at most 50), and how many are unread in all. */
export const notificationListResponseSchema = z.object({
  notifications: z.array(notificationSchema),
  unreadCount: z.number().int(),
});
export type NotificationList = z.infer<typeof notificationListResponseSchema>;

export const notificationIdParamsSchema = z.object({ id: z.uuid({ message: 'Identifiant de notification invalide.' }) });

/** After marking as read: how many remain unread. */
export const notificationReadResponseSchema = z.object({ unreadCount: z.number().int() });
