import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Copy, Rss, Trash2 } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { createdFeedTokenSchema, feedTokenSchema } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import { Button, ConfirmDialog, LoadError, Notice, Spinner, Table, useToast } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { createFeedToken, feedTokensQuery, managesFeeds, revokeFeedToken } from '../region-api';
import '../region.css';

type FeedToken = z.infer<typeof feedTokenSchema>;
type CreatedFeedToken = z.infer<typeof createdFeedTokenSchema>;

/** The absolute address of the feed: the server may answer with a path. */
const absolute = (url: string) => new URL(url, window.location.origin).toString();

/**
 * The profile's « Flux Atom des alertes » section: a private address per device for people who
 * read alerts in a feed reader, shown once at creation, revocable at any time.
 */
export function FeedTokens() {
  const me = useMe();
  if (!managesFeeds(me)) return null;
  return <FeedTokensSection />;
}

function FeedTokensSection() {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const queryClient = useQueryClient();
  const toast = useToast();
  const tokens = useQuery(feedTokensQuery);
  const [created, setCreated] = useState<CreatedFeedToken | null>(null);
  const [revoking, setRevoking] = useState<FeedToken | null>(null);

  const create = useMutation({
    mutationFn: createFeedToken,
    onSuccess: async (token) => {
      setCreated(token);
      await queryClient.invalidateQueries({ queryKey: feedTokensQuery.queryKey });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => revokeFeedToken(id),
    onSuccess: async (_answer, id) => {
      setRevoking(null);
      if (created?.id === id) setCreated(null);
      toast(t('incidents.region.feeds.revoked'));
      await queryClient.invalidateQueries({ queryKey: feedTokensQuery.queryKey });
    },
  });
  const message = (error: unknown) => (error instanceof ApiError ? error.message : t('errors.generic'));

  return (
    <section aria-labelledby="profile-feeds" className="section">
      <h2 id="profile-feeds">{t('incidents.region.feeds.title')}</h2>
      <p>{t('incidents.region.feeds.lead')}</p>
      <p>{t('incidents.region.feeds.how')}</p>
      {created ? (
        <CreatedAddress token={created} onDone={() => setCreated(null)} />
      ) : (
        <div className="actions">
          <Button icon={Rss} loading={create.isPending} onClick={() => create.mutate()}>
            {t('incidents.region.feeds.create')}
          </Button>
        </div>
      )}
      {create.error && (
        <Notice tone="danger" role="alert">
          <p>{message(create.error)}</p>
        </Notice>
      )}
      <h3 id="profile-feeds-list">{t('incidents.region.feeds.listTitle')}</h3>
      {tokens.isError ? (
        <LoadError error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.isPending ? (
        <Spinner />
      ) : (
        <Table<FeedToken>
          caption={t('incidents.region.feeds.caption')}
          captionHidden
          rows={tokens.data.tokens}
          rowKey={(f) => f.id}
          columns={[
            { key: 'created', header: t('incidents.region.feeds.columns.created'), rowHeader: true, cell: (f) => fmt.dateTime(f.createdAt) },
            { key: 'used', header: t('incidents.region.feeds.columns.lastUsed'), cell: (f) => (f.lastUsedAt ? fmt.dateTime(f.lastUsedAt) : t('incidents.region.feeds.neverUsed')) },
            {
              key: 'actions',
              header: t('incidents.region.feeds.columns.actions'),
              cell: (f) => (
                <Button variant="secondary" icon={Trash2} onClick={() => setRevoking(f)}>
                  {t('incidents.region.feeds.revoke')}
                  <span className="sr-only"> {t('incidents.region.feeds.revokeWhich', { date: fmt.dateTime(f.createdAt) })}</span>
                </Button>
              ),
            },
          ]}
          empty={<p>{t('incidents.region.feeds.none')}</p>}
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t('incidents.region.feeds.revokeTitle')}
        confirmLabel={t('incidents.region.feeds.revokeConfirm')}
        danger
        pending={revoke.isPending}
        error={revoke.error ? message(revoke.error) : undefined}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>{t('incidents.region.feeds.revokeText')}</p>
      </ConfirmDialog>
    </section>
  );
}

function CreatedAddress({ token, onDone }: { token: CreatedFeedToken; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const url = absolute(token.url);
  useEffect(() => heading.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      toast(t('incidents.region.feeds.copied'));
    } catch {
      toast(t('incidents.region.feeds.copyFailed'), 'info');
    }
  };
  return (
    <div className="inc-region-panel">
      <h3 ref={heading} tabIndex={-1}>
        {t('incidents.region.feeds.createdTitle')}
      </h3>
      <Notice tone="warning" title={t('incidents.region.feeds.onceTitle')}>
        <p>{t('incidents.region.feeds.once')}</p>
      </Notice>
      <p>
        <label htmlFor="feed-url" className="field__label">
          {t('incidents.region.feeds.address')}
        </label>
      </p>
      <input id="feed-url" className="input inc-region-url" type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      <div className="actions">
        <Button variant="secondary" icon={Copy} onClick={() => void copy()}>
          {t('incidents.region.feeds.copy')}
        </Button>
        <Button onClick={onDone}>{t('incidents.region.feeds.done')}</Button>
      </div>
    </div>
  );
}
