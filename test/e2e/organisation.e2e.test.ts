/**
 * A person with roles in two organisations switches the active one; an RSSI reads the audit
 * log and checks its integrity.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/server/platform/auth/passwords';
import { memberships, users } from '../../src/server/platform/tenancy/schema';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, heading, JOURNEY_TIMEOUT_MS, journey, login, mainText, see, startE2E } from './support';

const TWO_HATS = { email: 'camille.martin@test.hygie.fr', name: 'Camille Martin' };

let e2e: E2E;
let rssiSecret: string;
before(async () => {
  e2e = await startE2E();
  // Agent in the emergency service of CH Nord, and cyber referent at EHPAD Nord.
  const [user] = await e2e.t.platform.db
    .insert(users)
    .values({ email: TWO_HATS.email, displayName: TWO_HATS.name, passwordHash: await hashPassword(PASSWORD) })
    .returning({ id: users.id });
  await e2e.t.platform.db.insert(memberships).values([
    { userId: user.id, orgId: e2e.world.orgs.service, role: 'agent' },
    { userId: user.id, orgId: e2e.world.orgs.ehpad, role: 'referent' },
  ]);
  rssiSecret = await enrolMfaThroughApi(e2e, e2e.world.users.rssi.email);
});
after(async () => {
  await e2e?.close();
});

const ROLE_IN = {
  Urgences: 'Vous travaillez pour Urgences, comme Agent.',
  'EHPAD Nord': 'Vous travaillez pour EHPAD Nord, comme Référent cyber de service.',
} as const;
type OrgName = keyof typeof ROLE_IN;

const switcher = (page: Page) => page.getByLabel('Organisation active', { exact: true });
const activeOrg = async (page: Page) => (await switcher(page).locator('option:checked').innerText()) as OrgName;

describe('organisations', () => {
  test('a person with two roles switches the active organisation, which persists', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'switch-organisation', async (page) => {
      await login(page, TWO_HATS.email, PASSWORD);
      await heading(page, 'Accueil');
      assert.deepEqual((await switcher(page).locator('option').allInnerTexts()).sort(), ['EHPAD Nord', 'Urgences']);

      const first = await activeOrg(page);
      assert.ok(first in ROLE_IN, `active organisation: ${first}`);
      const other: OrgName = first === 'Urgences' ? 'EHPAD Nord' : 'Urgences';
      assert.match(await mainText(page), new RegExp(ROLE_IN[first].replace(/[.()]/g, '\\$&')));
      await checkA11y(page, `home in ${first}`);

      await switcher(page).selectOption({ label: other });
      await see(page, `Organisation active : ${other}.`, '[role="status"]');
      await see(page, ROLE_IN[other], 'main');
      assert.equal(await activeOrg(page), other);
      assert.doesNotMatch(await mainText(page), new RegExp(ROLE_IN[first].replace(/[.()]/g, '\\$&')));
      await checkA11y(page, `home after switching to ${other}`);

      // The choice is the session's, not the page's: it survives a reload.
      await page.reload();
      await heading(page, 'Accueil');
      await see(page, ROLE_IN[other], 'main');
      assert.equal(await activeOrg(page), other);

      // And back.
      await switcher(page).selectOption({ label: first });
      await see(page, ROLE_IN[first], 'main');
      await page.reload();
      await heading(page, 'Accueil');
      assert.equal(await activeOrg(page), first);
      await see(page, ROLE_IN[first], 'main');
    });
  });

  test("the RSSI reads the audit log and checks that it is intact", { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'audit-log', async (page) => {
      const { email } = e2e.world.users.rssi;
      // A failed attempt first, so that the log shows both outcomes.
      await login(page, email, 'pas le bon mot de passe');
      await page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect.' }).waitFor();
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await answerMfa(e2e, page, rssiSecret);
      await heading(page, 'Accueil');

      await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: "Journal d'audit", exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/journal');
      await heading(page, "Journal d'audit");
      const table = page.getByRole('table', { name: /\d+ événements, page 1 sur 1/ });
      await table.waitFor();

      // Rows as a person reads them: date, person, action, target, result.
      const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (cell) => (cell as HTMLElement).innerText.replace(/\s+/g, ' ').trim())));
      const logins = rows.filter((cells) => cells[3]?.startsWith('Connexion auth.login') && cells[2] === email);
      assert.ok(logins.some((cells) => cells[5] === 'Réussi'), `a successful sign-in of the RSSI in:\n${rows.map((r) => r.join(' | ')).join('\n')}`);
      assert.ok(logins.some((cells) => cells[5] === 'Échec'), 'the failed attempt');
      assert.ok(rows.some((cells) => cells[3]?.startsWith('Code de double authentification') && cells[5] === 'Réussi'), 'the second factor');
      assert.ok(rows.some((cells) => cells[3]?.startsWith('Activation de la double authentification')), 'the enrolment');
      // Dates in French, Europe/Paris.
      assert.match(logins[0][1], /\d{1,2} [a-zéû]+\.? \d{4}/);
      await checkA11y(page, 'audit log');

      // Filtered on sign-ins, through the URL-kept filters.
      await page.getByLabel('Action', { exact: true }).fill('auth.login');
      await page.getByRole('button', { name: 'Filtrer', exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('action') === 'auth.login');
      // The filtered rows replace the previous ones once the answer is in: wait for them.
      await page
        .waitForFunction(() => {
          const codes = Array.from(document.querySelectorAll('tbody tr td:nth-child(4) code'), (c) => c.textContent ?? '');
          return codes.length > 0 && codes.every((c) => c.startsWith('auth.login'));
        })
        .catch(() => undefined); // the assertion below says what was shown instead
      const actions = await page.locator('tbody tr td:nth-child(4) code').allInnerTexts();
      assert.ok(actions.length > 0 && actions.every((a) => a.startsWith('auth.login')), actions.join(', '));
      await checkA11y(page, 'audit log filtered');

      await page.getByRole('button', { name: "Vérifier l'intégrité", exact: true }).click();
      await see(page, 'Le journal est intact');
      await see(page, /\d+ entrées vérifiées : aucune modification\./);
      await checkA11y(page, 'audit log verified');
    });
  });
});
