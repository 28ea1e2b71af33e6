import { useQuery } from '@tanstack/react-query';
import { CheckCheck } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button, EmptyState, LoadError, PageHeader, Spinner, type Crumb } from '../ui';
import { NotificationItem, notificationsQuery, useMarkAllRead, useMarkRead, useOpenNotification } from './Notifications';

/** Every recent notification of the signed-in person, with « Tout marquer comme lu ». */
export function NotificationsPage() {
  const { t } = useTranslation();
  const query = useQuery(notificationsQuery);
  const markAll = useMarkAllRead();
  const markRead = useMarkRead();
  const openNotification = useOpenNotification();
  const title = t('notifications.page.title');
  // The breadcrumb starts at home by itself.
  const breadcrumb: Crumb[] = [];

  if (query.isPending) {
    return (
      <>
        <PageHeader title={title} breadcrumb={breadcrumb} />
        <Spinner />
      </>
    );
  }
  if (query.isError) {
    return (
      <>
        <PageHeader title={title} breadcrumb={breadcrumb} />
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      </>
    );
  }

  const { notifications, unreadCount } = query.data;
  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={breadcrumb}
        lead={<p>{t('notifications.page.lead')}</p>}
        actions={
          unreadCount > 0 ? (
            <Button icon={CheckCheck} loading={markAll.isPending} onClick={() => markAll.mutate()}>
              {t('notifications.markAllRead')}
            </Button>
          ) : undefined
        }
      />
      {markAll.isError && (
        <p className="field__error" role="alert">
          {markAll.error.message}
        </p>
      )}
      {notifications.length === 0 ? (
        <EmptyState title={t('notifications.emptyTitle')}>
          <p>{t('notifications.emptyText')}</p>
        </EmptyState>
      ) : (
        <>
          <p>{unreadCount > 0 ? t('notifications.page.unreadSummary', { count: unreadCount }) : t('notifications.page.allRead')}</p>
          <ul className="mail-list" aria-label={t('notifications.page.listLabel')}>
            {notifications.map((notification) => (
              <li key={notification.id} className="mail">
                <div className="mail__text">
                  <NotificationItem notification={notification} onOpen={openNotification} headingLevel="h2" />
                  {!notification.readAt && (
                    <Button variant="link" onClick={() => markRead.mutate(notification.id)}>
                      {t('notifications.page.markRead')}
                      <span className="sr-only"> : {notification.title}</span>
                    </Button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
