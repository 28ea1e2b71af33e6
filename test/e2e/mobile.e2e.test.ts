/**
 * On a phone (375 × 740): an RSSI signs in with her second factor, opens the navigation and
 * goes to the audit log, as she might during an attack.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, heading, JOURNEY_TIMEOUT_MS, journey, mainText, startE2E, submitLogin } from './support';

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

let e2e: E2E;
let rssiSecret: string;
before(async () => {
  e2e = await startE2E();
  rssiSecret = await enrolMfaThroughApi(e2e, e2e.world.users.rssi.email);
});
after(async () => {
  await e2e?.close();
});

/** Nothing wider than the screen: no sideways scrolling (WCAG 1.4.10). */
async function fitsTheScreen(page: Page, label: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `${label}: the page is ${scrollWidth}px wide on a ${clientWidth}px screen`);
}

describe('on a phone', () => {
  test('an RSSI signs in, opens the navigation and goes to the audit log', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(
      e2e,
      'mobile',
      async (page) => {
        await page.goto('/connexion');
        await heading(page, 'Connexion');
        await fitsTheScreen(page, 'sign-in page');
        await checkA11y(page, 'sign-in page on a phone');
        await submitLogin(page, e2e.world.users.rssi.email, PASSWORD);
        await heading(page, 'Double authentification');
        await fitsTheScreen(page, 'code page');
        await checkA11y(page, 'two-factor code page on a phone');
        await answerMfa(e2e, page, rssiSecret);

        await heading(page, 'Accueil');
        assert.match(await mainText(page), /Bonjour Test rssi\./);
        await fitsTheScreen(page, 'home');
        await checkA11y(page, 'home on a phone');

        // The navigation is folded behind its button.
        const toggle = page.getByRole('button', { name: 'Navigation', exact: true });
        const nav = page.getByRole('navigation', { name: 'Navigation principale' });
        const journal = nav.getByRole('link', { name: "Journal d'audit", exact: true });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await journal.isVisible(), false, 'the navigation is folded');

        await toggle.tap();
        await journal.waitFor({ state: 'visible' });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        for (const name of ['Accueil', 'Utilisateurs', 'Organisations']) {
          assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `${name} in the open navigation`);
        }
        await fitsTheScreen(page, 'home with the navigation open');
        await checkA11y(page, 'home on a phone, navigation open');

        await journal.tap();
        await page.waitForURL((url) => url.pathname === '/journal');
        await heading(page, "Journal d'audit");
        // Going to another page folds the navigation again.
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await journal.waitFor({ state: 'hidden' });
        await page.getByRole('table', { name: /événements, page 1 sur 1/ }).waitFor();
        await fitsTheScreen(page, 'audit log');
        await checkA11y(page, 'audit log on a phone');
      },
      PHONE,
    );
  });
});
