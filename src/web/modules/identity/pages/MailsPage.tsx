import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { mailSchema } from '../../../../contracts/identity';
import { useMe } from '../../../app/session';
import { useDateFormat } from '../../../lib/format';
import { EmptyState, LoadError, Notice, PageHeader, Spinner, StatusBadge, type Tone } from '../../../ui';
import { mailsQuery } from '../api';

type Mail = z.output<typeof mailSchema>;

const STATUS_TONES: Record<Mail['status'], Tone> = { queued: 'info', sending: 'info', sent: 'success', kept: 'neutral', failed: 'danger' };

const URL_PATTERN = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)])/g;

/** The mail's text with its web addresses made into links. */
function withLinks(text: string): ReactNode[] {
  return text.split(URL_PATTERN).map((part, index) =>
    index % 2 === 1 ? (
      <a key={index} href={part}>
        {part}
      </a>
    ) : (
      part
    ),
  );
}

export function MailsPage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <>
      <PageHeader title={t('mails.title')} breadcrumb={[]} lead={<p>{t('mails.lead')}</p>} />
      {me.user.platformAdmin ? (
        <MailList />
      ) : (
        <Notice tone="warning" title={t('common.forbidden.title')}>
          <p>{t('mails.adminOnly')}</p>
        </Notice>
      )}
    </>
  );
}

function MailList() {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const mails = useQuery(mailsQuery);
  if (mails.isError) return <LoadError error={mails.error} onRetry={() => void mails.refetch()} />;
  if (mails.isPending) return <Spinner />;
  const list = [...mails.data.mails].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (list.length === 0) {
    return (
      <EmptyState title={t('mails.empty')}>
        <p>{t('mails.emptyHelp')}</p>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="mails-list-title" className="section">
      <h2 id="mails-list-title">{t('mails.listTitle', { count: list.length })}</h2>
      <ul className="mail-list">
        {list.map((mail) => (
          <li key={mail.id}>
            <details className="mail">
              <summary className="mail__summary">
                <span className="mail__subject">{mail.subject}</span>
                <span className="mail__meta">
                  {t('mails.to', { to: mail.to })} · {dateTime(mail.createdAt)}
                </span>
                <StatusBadge tone={STATUS_TONES[mail.status]}>{t(`mails.status.${mail.status}`)}</StatusBadge>
              </summary>
              <div className="mail__text">{mail.text ? withLinks(mail.text) : <em>{t('mails.noText')}</em>}</div>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
