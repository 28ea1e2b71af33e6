/**
 * Signing in and out in the browser: an agent with a password, an RSSI who must set up
 * two-factor authentication then use it, and the sign-in page with the keyboard only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpAt } from '../../src/server/platform/auth/mfa';
import { PASSWORD } from '../support/world';
import {
  answerMfa,
  checkA11y,
  type E2E,
  enrolMfa,
  focused,
  hasFocus,
  heading,
  JOURNEY_TIMEOUT_MS,
  journey,
  login,
  logout,
  mainText,
  see,
  startE2E,
  submitLogin,
  wrongCode,
} from './support';

let e2e: E2E;
before(async () => {
  e2e = await startE2E();
});
after(async () => {
  await e2e?.close();
});

describe('connexion', () => {
  test('an agent signs in, sees his name and organisation, then signs out', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'agent-login-logout', async (page) => {
      await page.goto('/connexion');
      await heading(page, 'Connexion');
      await checkA11y(page, 'sign-in page');

      await submitLogin(page, e2e.world.users.agent.email, PASSWORD);
      await heading(page, 'Accueil');
      await page.waitForURL((url) => url.pathname === '/');
      const home = await mainText(page);
      assert.match(home, /Bonjour Test agent\./);
      assert.match(home, /Vous travaillez pour Urgences, comme Agent\./);
      // The top bar shows the active organisation.
      assert.equal(await page.getByLabel('Organisation active', { exact: true }).locator('option:checked').innerText(), 'Urgences');
      await checkA11y(page, 'home (agent)');

      // The user menu, opened, is checked too.
      await page.getByRole('button', { name: "Menu de l'utilisateur", exact: true }).click();
      await see(page, e2e.world.users.agent.email, 'header');
      await checkA11y(page, 'home with the user menu open');
      await page.keyboard.press('Escape');

      await logout(page);
      await see(page, 'Vous êtes déconnecté·e.');
      await checkA11y(page, 'sign-in page after signing out');

      // The session is gone: the signed-in area sends back to the sign-in page.
      await page.goto('/');
      await page.waitForURL((url) => url.pathname === '/connexion');
      await heading(page, 'Connexion');
      await page.goto('/profil');
      await page.waitForURL((url) => url.pathname === '/connexion' && url.searchParams.get('retour') === '/profil');
      await heading(page, 'Connexion');
    });
  });

  test('a wrong password shows the French error in the summary, which takes the focus', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'wrong-password', async (page) => {
      await login(page, e2e.world.users.referent.email, 'pas le bon mot de passe');
      const summary = page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect.' });
      await summary.waitFor();
      assert.match(await summary.innerText(), /Il y a un problème/);
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'alert');
      assert.ok(await hasFocus(summary), 'the error summary has the focus');
      // Still on the sign-in page, nothing typed is lost.
      assert.equal(new URL(page.url()).pathname, '/connexion');
      assert.equal(await page.getByLabel('Adresse e-mail', { exact: true }).inputValue(), e2e.world.users.referent.email);
      await checkA11y(page, 'sign-in page with an error');

      // Empty fields are caught before sending, at each field and in the summary.
      await page.getByLabel('Adresse e-mail', { exact: true }).fill('');
      await page.getByLabel('Mot de passe', { exact: true }).fill('');
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await see(page, /Le formulaire contient 2 erreurs à corriger/);
      await checkA11y(page, 'sign-in page with two field errors');

      // The right password then works.
      await page.getByLabel('Adresse e-mail', { exact: true }).fill(e2e.world.users.referent.email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await heading(page, 'Accueil');
      assert.match(await mainText(page), /Bonjour Test referent\./);
    });
  });

  test('the RSSI sets up two-factor authentication, then signs in with a code', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'rssi-mfa', async (page) => {
      const { email } = e2e.world.users.rssi;
      await login(page, email, PASSWORD);

      // Compulsory for an RSSI: the enrolment page, with the QR code and the key to type.
      await page.waitForURL((url) => url.pathname === '/connexion/activer-double-authentification');
      await heading(page, 'Activer la double authentification');
      const qr = page.getByRole('img', { name: "QR code à scanner avec votre application d'authentification" });
      await qr.waitFor();
      assert.ok(await qr.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), 'the QR code is displayed');
      await see(page, "Vous ne pouvez pas scanner ? Saisissez cette clé dans l'application :");
      await checkA11y(page, 'two-factor enrolment');

      // A wrong first code is refused, at the field and in the summary.
      const secretShown = (await page.locator('code.secret').innerText()).replace(/\s+/g, '');
      await page.getByLabel('Code de vérification', { exact: true }).fill(wrongCode(secretShown, e2e.t.clock.now()));
      await page.getByRole('button', { name: 'Activer la double authentification', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Ce code ne convient pas' }).waitFor();
      await checkA11y(page, 'two-factor enrolment with a wrong code');

      const { secret, recoveryCodes } = await enrolMfa(e2e, page);
      assert.equal(secret, secretShown, 'the key stays the same after a wrong code');
      assert.equal(recoveryCodes.length, 10);
      for (const code of recoveryCodes) assert.match(code, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
      await see(page, 'La double authentification est activée.');
      await checkA11y(page, 'recovery codes');

      await page.getByRole('button', { name: "J'ai noté mes codes", exact: true }).click();
      await heading(page, 'Accueil');
      const home = await mainText(page);
      assert.match(home, /Bonjour Test rssi\./);
      assert.match(home, /Vous travaillez pour CH Nord, comme RSSI \(responsable de la sécurité\)\./);
      assert.doesNotMatch(home, /Sécurisez votre compte/);
      await see(page, 'Derniers événements de sécurité');
      await checkA11y(page, 'home (RSSI)');

      // Next time: the code page.
      await logout(page);
      await login(page, email, PASSWORD);
      await page.waitForURL((url) => url.pathname === '/connexion/code');
      await heading(page, 'Double authentification');
      await checkA11y(page, 'two-factor code page');

      // A wrong code is refused…
      e2e.t.clock.advance(30_000);
      await page.getByLabel('Code de vérification', { exact: true }).fill(wrongCode(secret, e2e.t.clock.now()));
      await page.getByRole('button', { name: 'Vérifier le code', exact: true }).click();
      const refused = page.getByRole('alert').filter({ hasText: 'Ce code ne convient pas' });
      await refused.waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'alert');
      assert.ok(await hasFocus(refused), 'the error summary has the focus');
      await see(page, /Ce code ne convient pas/, '.field--error');
      await checkA11y(page, 'two-factor code page with a wrong code');

      // …the code of the next step is accepted.
      await answerMfa(e2e, page, secret);
      await heading(page, 'Accueil');
      assert.match(await mainText(page), /Bonjour Test rssi\./);

      // A code is never accepted twice: the same code again on a new sign-in is refused.
      const used = totpAt(secret, e2e.t.clock.now());
      await logout(page);
      await login(page, email, PASSWORD);
      await heading(page, 'Double authentification');
      await page.getByLabel('Code de vérification', { exact: true }).fill(used);
      await page.getByRole('button', { name: 'Vérifier le code', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Ce code ne convient pas' }).waitFor();

      // A recovery code works once in place of the app's code.
      await page.getByRole('button', { name: 'Utiliser un code de secours', exact: true }).click();
      await page.getByLabel('Code de secours', { exact: true }).fill(recoveryCodes[0]);
      await page.getByRole('button', { name: 'Vérifier le code', exact: true }).click();
      await heading(page, 'Accueil');
    });
  });

  test('a person who must still set up two-factor authentication is always brought back to the set-up page', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'enrolment-wall', async (page) => {
      await login(page, e2e.world.users.coordGht.email, PASSWORD);
      await page.waitForURL((url) => url.pathname === '/connexion/activer-double-authentification');
      // Trying to reach a signed-in page leads back to the set-up, not to the code page.
      await page.goto('/profil');
      await page.waitForURL((url) => url.pathname === '/connexion/activer-double-authentification');
      await see(page, 'Activer la double authentification');
      await checkA11y(page, 'set-up page after trying to skip it');
    });
  });

  test('the sign-in page works with the keyboard alone, skip link first', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'keyboard-login', async (page) => {
      await page.goto('/connexion');
      await heading(page, 'Connexion');

      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(page), { tag: 'a', text: 'Aller au contenu', id: '' });
      // Hidden above the page until focused, it then comes on screen. Polled: headless Chromium's
      // emulated focus restyles :focus on the next frame, not at once.
      const skip = page.getByRole('link', { name: 'Aller au contenu', exact: true });
      await page
        .waitForFunction(() => {
          const box = document.activeElement!.getBoundingClientRect();
          return box.top >= 0 && box.left >= 0 && box.width > 1 && box.height > 1;
        })
        .catch(async () => assert.fail(`the focused skip link is not on screen (${JSON.stringify(await skip.boundingBox())})`));

      // The skip link takes the focus to the content, whose first field is the e-mail address.
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 'contenu');
      await page.keyboard.press('Tab');
      assert.ok(await hasFocus(page.getByLabel('Adresse e-mail', { exact: true })), 'Tab goes to the e-mail field');
      await page.keyboard.type(e2e.world.users.agent.email);
      await page.keyboard.press('Tab');
      assert.ok(await hasFocus(page.getByLabel('Mot de passe', { exact: true })), 'Tab goes to the password field');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(page), { tag: 'a', text: 'Mot de passe oublié ?', id: '' });
      await page.keyboard.press('Tab');
      assert.deepEqual(await focused(page), { tag: 'button', text: 'Se connecter', id: '' });
      // A visible focus indicator (an outline) on the button; polled for the same reason as above.
      await page
        .waitForFunction(() => {
          const style = getComputedStyle(document.activeElement!);
          return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        })
        .catch(async () =>
          assert.fail(`the focused button shows no focus ring (${await page.evaluate(() => getComputedStyle(document.activeElement!).outline)})`),
        );

      await page.keyboard.press('Enter');
      await heading(page, 'Accueil');
      assert.match(await mainText(page), /Bonjour Test agent\./);

      // In the signed-in area too, the skip link comes first.
      await page.reload();
      await heading(page, 'Accueil');
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).text, 'Aller au contenu');
    });
  });
});
