/**
 * The region's side of incidents in the browser. The hospital's and the EHPAD's RSSI declare a
 * ransomware each through the API, days apart (a campaign is detected). The regional
 * coordinator finds both in his inbox, acknowledges one, reads the detected campaign, publishes
 * an alert to every establishment (a missing title first) and sees nobody has acknowledged it;
 * the hospital's RSSI acknowledges it; the coordinator sees who has and who has not, then reads
 * the statistics (chart, table, CSV); the RSSI creates a personal Atom feed address, reads it,
 * then revokes it. axe finds nothing on each page state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { declareIncident } from '../support/incidents';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, heading, JOURNEY_TIMEOUT_MS, journey, login, mainText, see, signInThroughApi, startE2E } from './support';

let e2e: E2E;

const daysAgo = (days: number) => new Date(e2e.t.clock.now().getTime() - days * 86_400_000).toISOString();

const secrets: Record<'rssi' | 'coordRegion', string> = { rssi: '', coordRegion: '' };
const HOSPITAL_TITLE = 'Rançongiciel sur les serveurs du laboratoire';
const EHPAD_TITLE = 'Rançongiciel sur le poste de l’accueil';
const ALERT_TITLE = 'Rançongiciel visant les établissements de la région';
let hospitalIncidentId = '';

before(async () => {
  e2e = await startE2E();
  const rssi = await signInThroughApi(e2e, e2e.world.users.rssi.email);
  secrets.rssi = rssi.secret;
  const ehpad = await signInThroughApi(e2e, e2e.world.users.ehpadRssi.email);
  secrets.coordRegion = (await signInThroughApi(e2e, e2e.world.users.coordRegion.email)).secret;
  // Two ransomware declarations of the region, two days apart: Hygie detects a campaign.
  const hospital = await declareIncident(rssi.client, e2e.world.orgs.hospital, { title: HOSPITAL_TITLE, discoveredAt: daysAgo(3), supportRequested: true });
  hospitalIncidentId = hospital.incident.id;
  // The app's clock stands still: the EHPAD declares two minutes later.
  e2e.t.clock.advance(120_000);
  await declareIncident(ehpad.client, e2e.world.orgs.ehpad, { title: EHPAD_TITLE, discoveredAt: daysAgo(1), supportRequested: false, impacts: { availability: true, careImpact: false } });
});
after(async () => {
  await e2e?.close();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });

async function signInAs(page: Page, who: 'rssi' | 'coordRegion') {
  await login(page, e2e.world.users[who].email, PASSWORD);
  await answerMfa(e2e, page, secrets[who]);
  await heading(page, 'Accueil');
}

/** The row of a table whose row header contains `name`. */
const row = (page: Page, tableName: string | RegExp, name: string | RegExp) =>
  page
    .getByRole('table', { name: tableName })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name }) });

describe('incidents: the region, alerts, feeds and statistics', () => {
  test('the coordinator acknowledges a declaration, reads the campaign, publishes an alert', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'incidents-region-coordinator', async (page) => {
      await signInAs(page, 'coordRegion');
      // The home card: two new declarations, one campaign.
      await see(page, '2 nouvelles déclarations attendent votre accusé de réception.', 'main');
      await see(page, /1 campagne détectée en cours/, 'main');
      await checkA11y(page, 'home of the coordinator');

      await nav(page).getByRole('link', { name: 'Déclarations reçues', exact: true }).click();
      await heading(page, 'Déclarations reçues');
      const inbox = 'Déclarations reçues des établissements de la région';
      await row(page, inbox, new RegExp(HOSPITAL_TITLE)).getByText('CH Nord').waitFor();
      await row(page, inbox, new RegExp(HOSPITAL_TITLE)).getByText('Nouveau').waitFor();
      await row(page, inbox, new RegExp(EHPAD_TITLE)).getByText('EHPAD Nord').waitFor();
      // Newest first: the EHPAD's declaration (declared last) comes first.
      const titles = await page.getByRole('table', { name: inbox }).getByRole('rowheader').allInnerTexts();
      assert.match(titles[0], new RegExp(EHPAD_TITLE));
      assert.match(titles[1], new RegExp(HOSPITAL_TITLE));
      await checkA11y(page, 'inbox');

      // The filter is kept in the URL.
      await page.getByLabel('Suivi par la région', { exact: true }).selectOption('acknowledged');
      await page.waitForURL(/suivi=acknowledged/);
      await see(page, 'Aucune déclaration avec ce statut', 'main');
      await checkA11y(page, 'inbox, filtered, empty');
      await page.getByRole('link', { name: 'Voir toutes les déclarations' }).click();
      await page.waitForURL((url) => url.pathname === '/region/incidents' && !url.search.includes('suivi'));

      // The hospital's declaration: acknowledge it from the incident page.
      await page.getByRole('link', { name: HOSPITAL_TITLE }).click();
      await page.waitForURL(new RegExp(`/incidents/${hospitalIncidentId}$`));
      const panel = page.getByRole('region', { name: 'Suivi par la région' });
      await panel.getByText('L’établissement demande l’appui de la région.').waitFor();
      await checkA11y(page, 'incident page, region panel, new');
      await panel.getByRole('button', { name: 'Accuser réception', exact: true }).click();
      await see(page, 'Réception accusée.', '.toasts');
      await panel.getByText(/Réception accusée par Test coordRegion le/).waitFor();
      assert.equal(await panel.getByRole('radio', { name: 'Réception accusée' }).isChecked(), true);
      await checkA11y(page, 'incident page, region panel, acknowledged');

      await nav(page).getByRole('link', { name: 'Déclarations reçues', exact: true }).click();
      await heading(page, 'Déclarations reçues');
      await row(page, inbox, new RegExp(HOSPITAL_TITLE)).getByText('Réception accusée').waitFor();
      await row(page, inbox, new RegExp(EHPAD_TITLE)).getByText('Nouveau').waitFor();

      // The detected campaign lists both establishments.
      await nav(page).getByRole('link', { name: 'Campagnes détectées', exact: true }).click();
      await heading(page, 'Campagnes détectées');
      await page.getByRole('heading', { level: 3, name: 'Même type d’incident : Rançongiciel' }).waitFor();
      const campaign = 'Déclarations de la campagne « Même type d’incident : Rançongiciel »';
      await row(page, campaign, 'CH Nord').getByRole('link', { name: new RegExp(HOSPITAL_TITLE) }).waitFor();
      await row(page, campaign, 'EHPAD Nord').getByRole('link', { name: new RegExp(EHPAD_TITLE) }).waitFor();
      await see(page, '2 établissements concernés.', 'main');
      await checkA11y(page, 'detected campaigns');

      // Publish an alert: nothing filled in first.
      await nav(page).getByRole('link', { name: 'Alertes', exact: true }).click();
      await heading(page, 'Alertes');
      await see(page, 'Aucune alerte publiée', 'main');
      await checkA11y(page, 'alerts of the region, empty');
      await page.getByRole('link', { name: 'Publier une alerte' }).first().click();
      await heading(page, 'Publier une alerte');
      await checkA11y(page, 'new alert');
      await page.getByRole('button', { name: 'Publier l’alerte', exact: true }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'Donnez un titre à l’alerte (5 caractères au moins).' });
      await summary.waitFor();
      await summary.getByText('Choisissez la gravité.').waitFor();
      await checkA11y(page, 'new alert, with errors');
      await page.getByLabel('Titre de l’alerte', { exact: true }).fill(ALERT_TITLE);
      await page.getByRole('radio', { name: 'Élevée', exact: true }).check();
      await page.getByLabel('Résumé', { exact: true }).fill('Deux établissements de la région ont subi un rançongiciel cette semaine.');
      await page.getByLabel('Ce qu’il faut vérifier (facultatif)', { exact: true }).fill('Les connexions VPN des sept derniers jours.');
      await page.getByLabel('Ce qu’il faut faire (facultatif)', { exact: true }).fill('Mettre à jour le VPN et changer les mots de passe des comptes d’administration.');
      await page.getByLabel('Produits concernés (facultatif)', { exact: true }).fill('VPN Exemple 9.1\nPare-feu Exemple');
      assert.equal(await page.getByRole('radio', { name: /Tous les établissements de la région/ }).isChecked(), true);
      await page.getByRole('button', { name: 'Publier l’alerte', exact: true }).click();

      await page.waitForURL(/\/alertes\/[0-9a-f-]{36}$/);
      await heading(page, ALERT_TITLE);
      await see(page, 'Alerte publiée auprès de 2 établissements.', '.toasts');
      await see(page, '0 sur 2 établissements ont accusé réception', 'main');
      await see(page, '2 établissements n’ont pas encore accusé réception.', 'main');
      const recipients = `Établissements destinataires de l’alerte « ${ALERT_TITLE} »`;
      for (const name of ['CH Nord', 'EHPAD Nord']) await row(page, recipients, name).getByText('Pas encore').waitFor();
      await see(page, 'VPN Exemple 9.1', 'main');
      await checkA11y(page, 'alert, region view, nobody acknowledged');
    });
  });

  test('the hospital’s RSSI acknowledges the alert', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'incidents-region-rssi-alert', async (page) => {
      await signInAs(page, 'rssi');
      await see(page, '1 alerte de la région attend votre accusé de réception.', 'main');
      await checkA11y(page, 'home of the RSSI, alert to acknowledge');
      await nav(page).getByRole('link', { name: 'Alertes', exact: true }).click();
      await heading(page, 'Alertes');
      await see(page, '1 alerte attend votre accusé de réception.', 'main');
      await see(page, 'À lire et accuser réception', 'main');
      await checkA11y(page, 'alerts received');
      await page.getByRole('button', { name: `Accuser réception de l’alerte « ${ALERT_TITLE} »` }).click();
      await see(page, 'Réception accusée : la région en est informée.', '.toasts');
      await see(page, 'Vous avez accusé réception de toutes les alertes.', 'main');
      await see(page, /Réception accusée le/, 'main');
      assert.equal(await page.getByRole('button', { name: /Accuser réception/ }).count(), 0);
      await checkA11y(page, 'alerts received, acknowledged');

      await page.getByRole('link', { name: ALERT_TITLE }).click();
      await heading(page, ALERT_TITLE);
      await see(page, /Test rssi a accusé réception pour CH Nord le/, 'main');
      assert.equal(await page.getByRole('button', { name: 'Accuser réception' }).count(), 0);
      // An establishment does not see the other recipients.
      assert.doesNotMatch(await mainText(page), /EHPAD Nord/);
      await checkA11y(page, 'alert, establishment view, acknowledged');
    });
  });

  test('the coordinator sees who has acknowledged, then reads the statistics', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'incidents-region-followup-stats', async (page) => {
      await signInAs(page, 'coordRegion');
      await nav(page).getByRole('link', { name: 'Alertes', exact: true }).click();
      await heading(page, 'Alertes');
      await row(page, 'Alertes publiées par la région', ALERT_TITLE).getByText('1 sur 2 établissements ont accusé réception').waitFor();
      await checkA11y(page, 'alerts of the region');
      await page.getByRole('link', { name: ALERT_TITLE }).click();
      await heading(page, ALERT_TITLE);
      await see(page, '1 établissement n’a pas encore accusé réception.', 'main');
      const recipients = `Établissements destinataires de l’alerte « ${ALERT_TITLE} »`;
      await row(page, recipients, 'CH Nord').getByText('Réception accusée').waitFor();
      await row(page, recipients, 'CH Nord').getByText(/Test rssi/).waitFor();
      await row(page, recipients, 'EHPAD Nord').getByText('Pas encore').waitFor();
      // Who has not acknowledged comes first.
      const names = await page.getByRole('table', { name: recipients }).getByRole('rowheader').allInnerTexts();
      assert.deepEqual(names, ['EHPAD Nord', 'CH Nord']);
      await checkA11y(page, 'alert, region view, one acknowledged');

      await nav(page).getByRole('link', { name: 'Statistiques', exact: true }).click();
      await heading(page, 'Statistiques des incidents');
      await page.getByRole('heading', { level: 2, name: 'Déclarations par mois' }).waitFor();
      await page.getByRole('img', { name: /déclarations par mois/ }).waitFor();
      const months = page.getByRole('table', { name: 'Tableau des déclarations par mois' });
      await months.waitFor();
      const monthRows = await months.getByRole('row').allInnerTexts();
      assert.ok(
        monthRows.some((text) => /\t2\t2$/.test(text.trim())),
        `a month with 2 declarations, 2 malicious: ${monthRows.join(' | ')}`,
      );
      await row(page, 'Tableau des déclarations par type d’incident', 'Rançongiciel').getByText(/^100\s%$/).waitFor();
      await see(page, /2 incidents déclarés sur la période, dont 2 d’origine malveillante/, 'main');
      await checkA11y(page, 'statistics');

      const csv = page.getByRole('link', { name: 'Télécharger en CSV' });
      const href = (await csv.getAttribute('href')) ?? '';
      assert.ok(href.startsWith('/api/v1/incidents/stats.csv?'), href);
      assert.match(href, new RegExp(`orgId=${e2e.world.orgs.north}`));
      const answer = await page.request.get(href);
      assert.equal(answer.status(), 200, await answer.text());
      assert.match(answer.headers()['content-type'] ?? '', /text\/csv/);

      // The period is kept in the URL.
      const from = await page.getByLabel('Du', { exact: true }).inputValue();
      assert.match(from, /^\d{4}-\d{2}-\d{2}$/);
      // An end before the start is refused on the page, nothing is asked of the server.
      const day = (days: number) => daysAgo(days).slice(0, 10);
      await page.getByLabel('Du', { exact: true }).fill(day(300));
      await page.getByLabel('Au', { exact: true }).fill(day(400));
      await page.getByRole('button', { name: 'Afficher la période' }).click();
      await page.getByRole('alert').getByText('La fin de la période doit venir après son début.').waitFor();
      await checkA11y(page, 'statistics, period in the wrong order');
      // A year ago: no declaration then.
      await page.getByLabel('Du', { exact: true }).fill(day(400));
      await page.getByLabel('Au', { exact: true }).fill(day(300));
      await page.getByRole('button', { name: 'Afficher la période' }).click();
      await page.waitForURL((url) => url.searchParams.get('du') === day(400) && url.searchParams.get('au') === day(300));
      await see(page, 'Aucun incident déclaré sur la période', 'main');
      await checkA11y(page, 'statistics, empty period');

      // The campaign has been looked at: the coordinator closes it, after a confirmation.
      await nav(page).getByRole('link', { name: 'Campagnes détectées', exact: true }).click();
      await heading(page, 'Campagnes détectées');
      await page.getByRole('button', { name: 'Clore Même type d’incident : Rançongiciel' }).click();
      const dialog = page.getByRole('dialog', { name: 'Clore cette campagne ?' });
      await dialog.getByText(/ne sera plus affichée comme en cours/).waitFor();
      await checkA11y(page, 'close a campaign, confirmation');
      await dialog.getByRole('button', { name: 'Clore la campagne', exact: true }).click();
      await see(page, 'Campagne close.', '.toasts');
      await see(page, 'Aucune campagne détectée en cours', 'main');
      await page.getByRole('heading', { level: 2, name: 'Closes (1)' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^Clore/ }).count(), 0);
      await checkA11y(page, 'detected campaigns, closed');
    });
  });

  test('the RSSI creates a personal Atom feed address, reads it, revokes it', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'incidents-region-feed', async (page) => {
      await signInAs(page, 'rssi');
      await page.goto('/profil');
      await heading(page, 'Mon profil');
      const section = page.getByRole('region', { name: 'Flux Atom des alertes' });
      await section.getByText('Vous n’avez aucune adresse de flux.').waitFor();
      await checkA11y(page, 'profile, no feed');
      await section.getByRole('button', { name: 'Créer une adresse de flux' }).click();
      await section.getByRole('heading', { name: 'Votre adresse de flux' }).waitFor();
      await section.getByText('Copiez-la maintenant : elle ne sera plus affichée.').waitFor();
      const url = await section.getByLabel('Adresse du flux', { exact: true }).inputValue();
      assert.match(url, /^http:\/\/localhost:\d+\/api\/v1\/feeds\/alerts\.atom\?token=/);
      await section.getByText('Jamais lue').waitFor();
      await checkA11y(page, 'profile, feed address shown once');

      const feed = await page.request.get(url);
      assert.equal(feed.status(), 200, await feed.text());
      assert.match(feed.headers()['content-type'] ?? '', /application\/atom\+xml/);
      assert.match(await feed.text(), new RegExp(ALERT_TITLE));

      await section.getByRole('button', { name: 'J’ai copié l’adresse' }).click();
      await section.getByRole('button', { name: /^Révoquer l’adresse créée le/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Révoquer cette adresse de flux ?' });
      await checkA11y(page, 'profile, revoke dialog');
      await dialog.getByRole('button', { name: 'Révoquer l’adresse', exact: true }).click();
      await see(page, 'Adresse de flux révoquée.', '.toasts');
      await section.getByText('Vous n’avez aucune adresse de flux.').waitFor();
      await checkA11y(page, 'profile, feed revoked');

      const revoked = await page.request.get(url);
      assert.equal(revoked.status(), 401, await revoked.text());
    });
  });
});
