import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { ChevronDown, LogOut, UserRound } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/identity';
import { logout, meQuery, switchOrganisation, updateProfile } from '../modules/identity/api';
import { forgetSavedLocalDrafts } from '../modules/incidents/draft-store';
import { Button, useToast } from '../ui';
import { useDisclosure } from './disclosure';
import { NotificationBell } from './Notifications';
import { useMe } from './session';

/** The organisation the person works in now, among those where they hold a role. */
export function OrgSwitcher() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const mutation = useMutation({
    mutationFn: switchOrganisation,
    onSuccess: (next: Me) => {
      queryClient.setQueryData(meQuery.queryKey, next);
      const name = next.memberships.find((membership) => membership.orgId === next.activeOrgId)?.orgName;
      if (name) toast(t('topBar.switched', { name }));
    },
  });
  if (me.memberships.length === 0) return null;
  return (
    <div className="org-switcher">
      <label htmlFor="active-org" className="org-switcher__label">
        {t('topBar.activeOrganisation')}
      </label>
      <select
        id="active-org"
        className="select select--on-dark"
        value={me.activeOrgId ?? ''}
        aria-describedby={mutation.isError ? 'active-org-error' : undefined}
        onChange={(event) => {
          if (event.target.value) mutation.mutate(event.target.value);
        }}
      >
        {me.activeOrgId === null && <option value="">{t('topBar.chooseOrganisation')}</option>}
        {me.memberships.map((membership) => (
          <option key={membership.orgId} value={membership.orgId}>
            {membership.orgName}
          </option>
        ))}
      </select>
      {mutation.isError && (
        <p id="active-org-error" className="org-switcher__error" role="alert">
          {mutation.error.message}
        </p>
      )}
    </div>
  );
}

/** The top bar's right end: the notifications bell, then the user menu. */
export function UserMenu() {
  return (
    <>
      <NotificationBell />
      <UserMenuDisclosure />
    </>
  );
}

/** Profile, language and sign-out, behind a disclosure button. */
function UserMenuDisclosure() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const { open, setOpen, root, button } = useDisclosure();
  const panelId = useId();
  const languageLabelId = useId();

  const language = useMutation({
    mutationFn: (locale: Me['user']['locale']) => updateProfile({ locale }),
    onSuccess: (next) => queryClient.setQueryData(meQuery.queryKey, next),
  });

  const signOut = useMutation({
    mutationFn: logout,
    onSettled: async () => {
      forgetSavedLocalDrafts(me.user.id);
      queryClient.clear();
      toast(t('topBar.signedOut'));
      await navigate({ to: '/connexion' });
    },
  });

  return (
    <div className="user-menu" ref={root}>
      <span className="user-menu__name" aria-hidden="true">
        {me.user.displayName}
      </span>
      <button
        ref={button}
        type="button"
        className="user-menu__button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t('topBar.userMenu')}
        onClick={() => setOpen(!open)}
      >
        <UserRound className="icon" aria-hidden="true" />
        <ChevronDown className="icon" aria-hidden="true" />
      </button>
      <div id={panelId} className="user-menu__panel" hidden={!open}>
        <p className="user-menu__identity">
          <strong>{me.user.displayName}</strong>
          <span>{me.user.email}</span>
        </p>
        <ul className="user-menu__links">
          <li>
            <Link to="/profil">{t('topBar.profile')}</Link>
          </li>
        </ul>
        <div role="group" aria-labelledby={languageLabelId} className="user-menu__languages">
          <p id={languageLabelId} className="user-menu__group-label">
            {t('topBar.language')}
          </p>
          {(['fr', 'en'] as const).map((locale) => (
            <button
              key={locale}
              type="button"
              lang={locale}
              className="user-menu__language"
              aria-pressed={me.user.locale === locale}
              onClick={() => language.mutate(locale)}
            >
              {t(`languages.${locale}`)}
            </button>
          ))}
          {language.isError && (
            <p className="field__error" role="alert">
              {language.error.message}
            </p>
          )}
        </div>
        <Button variant="secondary" icon={LogOut} loading={signOut.isPending} onClick={() => signOut.mutate()} className="user-menu__signout">
          {t('topBar.signOut')}
        </Button>
      </div>
    </div>
  );
}
