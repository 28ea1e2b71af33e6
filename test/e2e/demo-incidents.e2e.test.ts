/**
 * The incidents capability on the demo data, as the demo accounts see it after `npm start`:
 * the hospital's RSSI finds the ransomware attack under way with its clocks and follow-up;
 * the regional coordinator finds it in the inbox, the campaign it shares with the
 * psychiatric centre, the alert only the hospital acknowledged, and the year's statistics;
 * the EHPAD's RSSI finds the alert to acknowledge and the shared indicator. Axe on every page.
 */
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/server/demo/seed';
import { checkA11y, type E2EApp, heading, JOURNEY_TIMEOUT_MS, journey, login, see, startDemoE2E } from './support';

const RANSOMWARE = 'Rançongiciel sur les serveurs du laboratoire et de l’imagerie';

let e2e: E2EApp;
before(async () => {
  // Demo mode, as `npm start` runs it: two-factor authentication is not enforced.
  e2e = await startDemoE2E();
});
after(async () => {
  await e2e?.close();
});

async function signIn(page: Page, email: string) {
  await login(page, email, DEMO_PASSWORD);
  await heading(page, 'Accueil');
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });

describe('incidents on the demo data', () => {
  test('the hospital’s RSSI follows the ransomware attack under way', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'demo rssi', async (page) => {
      await signIn(page, 'rssi@ch-demo.fr');
      // Home is a to-do list: the nearest regulatory deadline of the incident under way.
      await see(page, /Échéance la plus proche : Notification à la CNIL/, 'main');
      await checkA11y(page, 'RSSI home with the incident under way');

      await nav(page).getByRole('link', { name: 'Incidents', exact: true }).click();
      await heading(page, 'Incidents');
      await page.getByRole('main').getByRole('link', { name: RANSOMWARE }).click();
      await heading(page, RANSOMWARE);
      // The CNIL clock runs (personal data leaked), the health authorities were told.
      await see(page, 'Notification à la CNIL', 'main');
      await see(page, /reste \d+ j \d+ h/, 'main');
      await see(page, 'Main courante de l’incident', 'main');
      await see(page, 'Indicateurs de compromission', 'main');
      await checkA11y(page, 'the ransomware incident');

      await nav(page).getByRole('link', { name: 'Indicateurs partagés' }).click();
      await heading(page, 'Indicateurs partagés dans la région');
      await checkA11y(page, 'shared indicators');
    });
  });

  test('the regional coordinator reads the inbox, the campaign, the alert and the statistics', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'demo coordinator', async (page) => {
      await signIn(page, 'coord@region-demo.fr');
      await checkA11y(page, 'coordinator home');

      await nav(page).getByRole('link', { name: 'Déclarations reçues' }).click();
      await heading(page, 'Déclarations reçues');
      await see(page, RANSOMWARE, 'main');
      await checkA11y(page, 'inbox');

      await nav(page).getByRole('link', { name: 'Campagnes détectées' }).click();
      await heading(page, 'Campagnes détectées');
      await see(page, 'Centre hospitalier de Val-d’Argent', 'main');
      await see(page, 'Centre psychothérapique des Coteaux', 'main');
      await checkA11y(page, 'detected campaign');

      await nav(page).getByRole('link', { name: 'Alertes' }).click();
      await heading(page, 'Alertes');
      await see(page, /1 sur 4 établissements/, 'main');
      await checkA11y(page, 'alerts sent');

      await nav(page).getByRole('link', { name: 'Statistiques' }).click();
      await heading(page, 'Statistiques des incidents');
      await page.getByRole('table').first().waitFor();
      await checkA11y(page, 'statistics');
    });
  });

  test('the EHPAD’s RSSI acknowledges the region’s alert', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'demo ehpad', async (page) => {
      await signIn(page, 'rssi@ehpad-demo.fr');
      await nav(page).getByRole('link', { name: 'Alertes' }).click();
      await heading(page, 'Alertes');
      await checkA11y(page, 'alerts received');
      await page.getByRole('button', { name: /Accuser réception/ }).first().click();
      await see(page, /Réception accusée|accusé réception/i, 'main');
      await checkA11y(page, 'alert acknowledged');
    });
  });
});
