/**
 * The notifications bell in the browser: the regional coordinator publishes two alerts through
 * the API; CH Nord's RSSI sees the unread count in the bell's name, opens its panel, closes it
 * with Escape (the focus goes back to the bell), follows an item (it is marked as read), then
 * marks all as read on the notifications page. axe finds nothing on each page state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, hasFocus, heading, JOURNEY_TIMEOUT_MS, journey, login, signInThroughApi, startE2E } from './support';

const ALERTS = ['Alerte numéro un pour tous', 'Alerte numéro deux pour tous'];

let e2e: E2E;
let rssiSecret = '';
before(async () => {
  e2e = await startE2E();
  rssiSecret = await enrolMfaThroughApi(e2e, e2e.world.users.rssi.email);
  // Two alerts of the region to every establishment: two notifications for CH Nord's RSSI.
  const coord = (await signInThroughApi(e2e, e2e.world.users.coordRegion.email)).client;
  for (const title of ALERTS) {
    const published = await coord.post('/api/v1/alerts', { regionId: e2e.world.orgs.north, title, severity: 'high', summary: 'Un résumé de l’alerte assez long.', establishmentIds: null });
    assert.equal(published.statusCode, 201, published.body);
  }
});
after(async () => {
  await e2e?.close();
});

describe('notifications', () => {
  test('the RSSI reads the bell, opens and closes its panel, follows an item, then marks all as read', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'notifications-bell', async (page) => {
      await login(page, e2e.world.users.rssi.email, PASSWORD);
      await answerMfa(e2e, page, rssiSecret);
      await heading(page, 'Accueil');

      // The bell's accessible name says how many are unread.
      const bell = page.getByRole('button', { name: 'Notifications, 2 non lues' });
      await bell.waitFor();
      await checkA11y(page, 'home with the bell');

      await bell.click();
      await page.getByRole('link', { name: /Alerte numéro deux pour tous/ }).waitFor();
      await checkA11y(page, 'bell panel open');

      // Escape closes the panel and gives the focus back to the bell.
      await page.keyboard.press('Escape');
      assert.equal(await hasFocus(bell), true, 'the focus is back on the bell');
      assert.equal(await bell.getAttribute('aria-expanded'), 'false');

      // Following an item opens the alert and marks it as read.
      await bell.click();
      await page.getByRole('link', { name: /Alerte numéro deux pour tous/ }).click();
      await page.waitForURL(/\/alertes\//);
      await page.getByRole('button', { name: 'Notifications, 1 non lue' }).waitFor();

      await page.goto('/notifications');
      await heading(page, 'Notifications');
      await checkA11y(page, 'notifications page');
      await page.getByRole('button', { name: 'Tout marquer comme lu' }).click();
      await page.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();
      await page.getByText('Toutes vos notifications sont lues.').waitFor();
      await checkA11y(page, 'notifications page, all read');
    });
  });
});
