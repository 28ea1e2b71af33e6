/**
 * An RSSI invites a nurse; she opens the link from her mail, creates her account and signs
 * in; the RSSI then sees the invitation accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, heading, JOURNEY_TIMEOUT_MS, journey, lastMailTo, login, mainText, see, startE2E } from './support';

const INVITEE = 'nouvelle.infirmiere@test.hygie.fr';
const INVITEE_NAME = 'Nadia Infirmière';
const INVITEE_PASSWORD = 'quatre mots sans lien ensemble';

let e2e: E2E;
let rssiSecret: string;
before(async () => {
  e2e = await startE2E();
  // The RSSI set up two-factor authentication earlier (the browser journey of auth.e2e.test.ts).
  rssiSecret = await enrolMfaThroughApi(e2e, e2e.world.users.rssi.email);
});
after(async () => {
  await e2e?.close();
});

/** The row of the invitations table for this address. */
const invitationRow = (page: Page, email: string) =>
  page.getByRole('table', { name: /invitation/ }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: email, exact: true }) });

describe('invitation', () => {
  test('an RSSI invites a nurse, who creates her account and signs in', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'invitation', async (rssi, people) => {
      await login(rssi, e2e.world.users.rssi.email, PASSWORD);
      await answerMfa(e2e, rssi, rssiSecret);
      await heading(rssi, 'Accueil');
      await see(rssi, "Aucune invitation n'attend de réponse.");

      // Through the side navigation to the users page.
      await rssi.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Utilisateurs', exact: true }).click();
      await rssi.waitForURL((url) => url.pathname === '/administration/utilisateurs');
      await heading(rssi, 'Utilisateurs');
      await see(rssi, 'Aucune invitation');
      await see(rssi, /CH Nord : \d+ rôles attribués/);
      await checkA11y(rssi, 'users page');

      // The invitation.
      const form = rssi.getByRole('region', { name: 'Inviter une personne' });
      await form.getByLabel('Adresse e-mail', { exact: true }).fill(INVITEE);
      await form.getByLabel('Organisation', { exact: true }).selectOption({ label: 'CH Nord (Établissement)' });
      await form.getByLabel('Rôle', { exact: true }).selectOption({ label: 'Agent' });
      await form.getByRole('button', { name: "Envoyer l'invitation", exact: true }).click();
      await see(rssi, `Invitation envoyée à ${INVITEE}.`, '[role="status"]');
      const pending = invitationRow(rssi, INVITEE);
      await pending.waitFor();
      const cells = await pending.getByRole('cell').allInnerTexts();
      assert.deepEqual(cells.slice(0, 3), ['CH Nord', 'Agent', 'En attente']);
      assert.equal(await form.getByLabel('Adresse e-mail', { exact: true }).inputValue(), '', 'the form is ready for the next person');
      await checkA11y(rssi, 'users page after an invitation');

      // The mail (kept in the database: no SMTP here) carries the link, token in the fragment.
      const mail = await lastMailTo(e2e, INVITEE);
      assert.equal(mail.subject, 'Hygie : invitation à rejoindre CH Nord');
      const link = mail.text?.match(/https?:\/\/\S+\/invitation#token=[\w-]+/)?.[0];
      assert.ok(link, `an invitation link in the mail:\n${mail.text}`);
      assert.ok(link.startsWith(`${e2e.baseURL}/invitation#token=`), link);

      // The nurse, on her own computer.
      const nurse = await people.open();
      await nurse.goto(link);
      await heading(nurse, 'Invitation');
      const invited = await mainText(nurse);
      assert.match(invited, /Vous êtes invité·e à rejoindre CH Nord comme Agent\./);
      assert.match(invited, new RegExp(`Invitation adressée à : ${INVITEE.replace(/\./g, '\\.')}`));
      await see(nurse, 'Créer votre compte');
      await checkA11y(nurse, 'invitation page');

      // A password too short: the error at the field and in the summary; nothing typed is lost.
      await nurse.getByLabel('Nom et prénom', { exact: true }).fill(INVITEE_NAME);
      await nurse.getByLabel('Nouveau mot de passe', { exact: true }).fill('court');
      await nurse.getByLabel('Confirmez le nouveau mot de passe', { exact: true }).fill('court');
      await nurse.getByRole('button', { name: 'Créer mon compte', exact: true }).click();
      const tooShort = 'Le mot de passe doit contenir au moins 12 caractères. Une phrase de passe est plus facile à retenir.';
      const summary = nurse.getByRole('alert').filter({ hasText: 'Le formulaire contient 1 erreur à corriger' });
      await summary.waitFor();
      assert.ok(await summary.getByRole('link', { name: tooShort }).isVisible(), 'the summary links to the field');
      const passwordField = nurse.getByLabel('Nouveau mot de passe', { exact: true });
      assert.equal(await passwordField.getAttribute('aria-invalid'), 'true');
      assert.match(await nurse.locator('.field--error').innerText(), new RegExp(tooShort.replace(/\./g, '\\.')));
      // The field's error is read with the field.
      const description = await passwordField.evaluate((input) =>
        (input.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
      );
      assert.match(description, /au moins 12 caractères/);
      assert.equal(await nurse.getByLabel('Nom et prénom', { exact: true }).inputValue(), INVITEE_NAME);
      await checkA11y(nurse, 'invitation page with an error');

      // The summary's link takes the focus to the field.
      await summary.getByRole('link', { name: tooShort }).click();
      await nurse.waitForFunction(() => document.activeElement?.id === 'invitation-password');

      await passwordField.fill(INVITEE_PASSWORD);
      await nurse.getByLabel('Confirmez le nouveau mot de passe', { exact: true }).fill(INVITEE_PASSWORD);
      await nurse.getByRole('button', { name: 'Créer mon compte', exact: true }).click();
      await nurse.waitForURL((url) => url.pathname === '/connexion');
      await heading(nurse, 'Connexion');
      await see(nurse, 'Votre compte est créé. Connectez-vous pour commencer.');
      await checkA11y(nurse, 'sign-in page after creating the account');

      // She signs in (an agent: no second factor required).
      await nurse.getByLabel('Adresse e-mail', { exact: true }).fill(INVITEE);
      await nurse.getByLabel('Mot de passe', { exact: true }).fill(INVITEE_PASSWORD);
      await nurse.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await heading(nurse, 'Accueil');
      const home = await mainText(nurse);
      assert.match(home, new RegExp(`Bonjour ${INVITEE_NAME}\\.`));
      assert.match(home, /Vous travaillez pour CH Nord, comme Agent\./);
      await checkA11y(nurse, 'home of the new agent');

      // The link served once: opened again, it says so.
      await nurse.goto(link);
      await heading(nurse, 'Invitation');
      await see(nurse, 'Cette invitation ne peut pas être utilisée');
      await see(nurse, /Cette invitation n’est plus valable/);
      await checkA11y(nurse, 'invitation page of a used link');

      // Back to the RSSI: the invitation is accepted, the nurse is among the people.
      await rssi.reload();
      await heading(rssi, 'Utilisateurs');
      const accepted = invitationRow(rssi, INVITEE);
      await accepted.getByText('Acceptée', { exact: true }).waitFor();
      assert.equal(await accepted.getByRole('button', { name: /Révoquer/ }).count(), 0, 'an accepted invitation cannot be revoked');
      const people_ = rssi.getByRole('table', { name: /CH Nord : \d+ rôles attribués/ });
      await people_.getByRole('rowheader', { name: new RegExp(INVITEE_NAME) }).waitFor();
      await checkA11y(rssi, 'users page with the accepted invitation');
    });
  });
});
