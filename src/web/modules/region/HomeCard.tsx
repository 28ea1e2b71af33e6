import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Megaphone } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { LoadError, Spinner } from '../../ui';
import { campaignsQuery } from './api';

/** The coordinator's home card: where the current campaign stands. */
export function CampaignHomeCard({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const campaigns = useQuery(campaignsQuery(orgId));
  const open = (campaigns.data?.campaigns ?? []).filter((c) => c.closedAt === null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const current = open[0];
  return (
    <section aria-labelledby="home-campaign" className={current && current.totals.late > 0 ? 'card card--warning' : 'card'}>
      <h2 id="home-campaign">
        <Megaphone className="icon" aria-hidden="true" />
        {t('region.home.title')}
      </h2>
      {campaigns.isError ? (
        <LoadError error={campaigns.error} onRetry={() => void campaigns.refetch()} />
      ) : campaigns.isPending ? (
        <Spinner />
      ) : current ? (
        <>
          <p>
            {t('region.home.current', {
              title: current.title,
              submitted: String(current.totals.submitted + current.totals.validated),
              count: current.totals.establishments,
            })}
          </p>
          <Link to="/pilotage/campagnes/$id" params={{ id: current.id }}>
            {t('region.home.follow')}
          </Link>
        </>
      ) : (
        <>
          <p>{t('region.home.none')}</p>
          <Link to="/pilotage/campagnes/nouvelle">{t('region.campaigns.launch')}</Link>
        </>
      )}
    </section>
  );
}
