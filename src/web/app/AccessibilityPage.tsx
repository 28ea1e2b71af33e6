import { useTranslation } from 'react-i18next';
import { PageHeader } from '../ui';

/** The accessibility statement required by article 47 of law 2005-102 (RGAA 4.1). */
export function AccessibilityPage() {
  const { t } = useTranslation();
  return (
    <div className="prose">
      <PageHeader title={t('accessibility.title')} />
      <p>{t('accessibility.intro')}</p>
      <p>{t('accessibility.scope')}</p>

      <h2>{t('accessibility.status.title')}</h2>
      <p>{t('accessibility.status.text')}</p>

      <h2>{t('accessibility.results.title')}</h2>
      <p>{t('accessibility.results.text')}</p>

      <h2>{t('accessibility.method.title')}</h2>
      <p>{t('accessibility.method.technologies')}</p>
      <p>{t('accessibility.method.checks')}</p>

      <h2>{t('accessibility.contact.title')}</h2>
      <p>{t('accessibility.contact.text')}</p>

      <h2>{t('accessibility.recourse.title')}</h2>
      <p>{t('accessibility.recourse.text')}</p>
      <ul>
        <li>
          {t('accessibility.recourse.form')}{' '}
          <a href="https://formulaire.defenseurdesdroits.fr/">formulaire.defenseurdesdroits.fr</a>
        </li>
        <li>
          {t('accessibility.recourse.delegate')}{' '}
          <a href="https://www.defenseurdesdroits.fr/saisir/delegues">defenseurdesdroits.fr/saisir/delegues</a>
        </li>
        <li>{t('accessibility.recourse.phone')}</li>
        <li>{t('accessibility.recourse.mail')}</li>
      </ul>
    </div>
  );
}
