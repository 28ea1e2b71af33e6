import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useRouter } from '@tanstack/react-router';
import { Bell } from 'lucide-react';
import { useEffect, useId, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { notificationListResponseSchema, notificationReadResponseSchema, type Notification, type NotificationList } from '../../contracts/notifications';
import { request } from '../lib/api';
import { useDateFormat } from '../lib/format';
import { Button, StatusBadge, useToast } from '../ui';
import { useDisclosure } from './disclosure';

// --- API ------------------------------------------------------------------------------------

/** The bell and the page poll every minute, so a new alert shows up without reloading. */
export const NOTIFICATIONS_POLL_MS = 60_000;
/** The bell's panel shows the latest few; the page shows them all. */
const BELL_ITEMS = 6;

export const notificationsQuery = queryOptions({
  queryKey: ['notifications'],
  queryFn: () => request(notificationListResponseSchema, '/notifications'),
  refetchInterval: NOTIFICATIONS_POLL_MS,
});

export const markNotificationRead = (id: string) => request(notificationReadResponseSchema, `/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' });
export const markAllNotificationsRead = () => request(notificationReadResponseSchema, '/notifications/read-all', { method: 'POST' });

/** A notification's link is a path of the web app; anything else (an outside address) is not followed. */
export function internalPath(link: string | null): string | null {
  return link && link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\') ? link : null;
}

/** Marking as read, reflected at once in the bell and the page (then checked with the server). */
export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: markNotificationRead,
    onMutate: (id: string) => {
      queryClient.setQueryData<NotificationList>(notificationsQuery.queryKey, (list) => {
        if (!list) return list;
        const target = list.notifications.find((n) => n.id === id);
        if (!target || target.readAt) return list;
        const readAt = new Date().toISOString();
        return { notifications: list.notifications.map((n) => (n.id === id ? { ...n, readAt } : n)), unreadCount: Math.max(0, list.unreadCount - 1) };
      });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationsQuery.queryKey }),
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const { t } = useTranslation();
  return useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: () => {
      toast(t('notifications.markedAllRead'));
      return queryClient.invalidateQueries({ queryKey: notificationsQuery.queryKey });
    },
  });
}

/**
 * Opens a notification: marks it read and goes to its page inside the app. A click with a
 * modifier (new tab, new window) is left to the browser, and still marks it read.
 */
export function useOpenNotification(onOpen?: () => void) {
  const router = useRouter();
  const markRead = useMarkRead();
  return (notification: Notification, event: MouseEvent<HTMLAnchorElement>) => {
    if (!notification.readAt) markRead.mutate(notification.id);
    const path = internalPath(notification.link);
    if (!path || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen?.();
    router.history.push(path);
  };
}

// --- One notification -------------------------------------------------------------------------

export function NotificationItem({
  notification,
  onOpen,
  headingLevel,
  compact = false,
}: {
  notification: Notification;
  onOpen: (n: Notification, e: MouseEvent<HTMLAnchorElement>) => void;
  headingLevel?: 'h2';
  /** In the bell's panel: no body, to keep it short. */
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const path = internalPath(notification.link);
  const unread = !notification.readAt;
  const Title = headingLevel ?? 'p';
  return (
    <>
      <Title className="mail__subject">
        {path ? (
          <a href={path} onClick={(event) => onOpen(notification, event)}>
            {notification.title}
          </a>
        ) : (
          notification.title
        )}
      </Title>
      <p className="mail__meta">
        <StatusBadge tone={unread ? 'info' : 'neutral'}>{unread ? t('notifications.unread') : t('notifications.read')}</StatusBadge>{' '}
        {notification.orgName && <>{notification.orgName} · </>}
        {t('notifications.receivedAt', { date: dateTime(notification.createdAt) })}
      </p>
      {!compact && notification.body && <p>{notification.body}</p>}
    </>
  );
}

// --- The bell of the top bar ------------------------------------------------------------------------

/** How many unread, said to screen readers when it grows while the person works. */
function useNewCountAnnouncement(count: number | undefined): string {
  const { t } = useTranslation();
  const previous = useRef<number | undefined>(undefined);
  const [message, setMessage] = useState('');
  useEffect(() => {
    if (count === undefined) return;
    if (previous.current !== undefined && count > previous.current) setMessage(t('notifications.announce', { count }));
    previous.current = count;
  }, [count, t]);
  return message;
}

/**
 * The bell: the number of unread notifications as text, and a panel with the latest ones.
 * Escape or a click elsewhere closes it and focus comes back to the bell.
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const query = useQuery(notificationsQuery);
  const { open, setOpen, close, root, button } = useDisclosure();
  const panelId = useId();
  const titleId = useId();
  const markAll = useMarkAllRead();
  const openNotification = useOpenNotification(close);
  const count = query.data?.unreadCount;
  const announcement = useNewCountAnnouncement(count);

  const label = count ? t('notifications.bellLabel', { count }) : t('notifications.bellLabelNone');
  const latest = (query.data?.notifications ?? []).slice(0, BELL_ITEMS);

  return (
    <div className="user-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="user-menu__button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        onClick={() => setOpen(!open)}
      >
        <Bell className="icon" aria-hidden="true" />
        {count ? <span aria-hidden="true">{count > 99 ? '99+' : count}</span> : null}
      </button>
      <p className="sr-only" role="status">
        {announcement}
      </p>
      <div id={panelId} className="user-menu__panel" hidden={!open}>
        <p id={titleId} className="user-menu__group-label">
          {t('notifications.panelTitle')}
        </p>
        {query.isError && (
          <p className="field__error" role="alert">
            {query.error.message}
          </p>
        )}
        {query.data && latest.length === 0 && (
          <>
            <p className="user-menu__group-label">{t('notifications.emptyTitle')}</p>
            <p className="muted">{t('notifications.emptyText')}</p>
          </>
        )}
        {latest.length > 0 && (
          <ul className="user-menu__links" aria-labelledby={titleId}>
            {latest.map((notification) => (
              <li key={notification.id}>
                <NotificationItem notification={notification} onOpen={openNotification} compact />
              </li>
            ))}
          </ul>
        )}
        <div className="actions">
          {count ? (
            <Button variant="secondary" loading={markAll.isPending} onClick={() => markAll.mutate()}>
              {t('notifications.markAllRead')}
            </Button>
          ) : null}
          <Link to="/notifications" onClick={() => setOpen(false)}>
            {t('notifications.seeAll')}
          </Link>
        </div>
        {markAll.isError && (
          <p className="field__error" role="alert">
            {markAll.error.message}
          </p>
        )}
      </div>
    </div>
  );
}
