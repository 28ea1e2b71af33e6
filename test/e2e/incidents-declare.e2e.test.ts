/**
 * Declaring an incident in the browser, on a phone: the RSSI types a ransomware declaration,
 * the network drops while it autosaves, the page is reloaded and everything typed is found
 * again, the network comes back, a missing field is shown at the top and linked to its field,
 * the incident is declared (one, never two), its regulatory clocks show as countdowns, the
 * health authorities' declaration is recorded as done with its reference, the declaration is
 * completed with personal data (the CNIL clock appears) and the history shows the change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Page, Route } from 'playwright-core';
import { incidents } from '../../src/server/modules/incidents/schema';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, hasFocus, heading, JOURNEY_TIMEOUT_MS, journey, login, see, signInThroughApi, startE2E } from './support';

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
const TITLE = 'Rançongiciel sur les serveurs du laboratoire';
const DESCRIPTION = 'Écran de rançon sur trois serveurs du laboratoire à 6 h ; les fichiers partagés sont chiffrés.';

let e2e: E2E;
let secret = '';
before(async () => {
  e2e = await startE2E();
  secret = await enrolMfaThroughApi(e2e, e2e.world.users.rssi.email);
});
after(async () => {
  await e2e?.close();
});

/** The save status of the declaration (a polite live region). */
const saveStatus = (page: Page) => page.locator('.declaration__bar').getByRole('status');
const savedAt = /^Enregistré à \d{1,2}\sh\s\d{2}$/;
const offline = 'Hors connexion : votre saisie est gardée sur cet appareil et sera envoyée dès le retour du réseau';

/**
 * Cuts the network for the incidents API's writes (reads still answer). The first POST of a
 * declaration reaches the server but its answer is lost on the way back, the worst case for
 * a retry: the server holds a draft the page does not know of.
 */
async function dropWrites(page: Page) {
  await page.route('**/api/v1/incidents**', async (route: Route) => {
    const request = route.request();
    if (request.method() === 'GET') return route.continue();
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/incidents') await route.fetch().catch(() => undefined);
    return route.abort('internetdisconnected');
  });
}

const hospitalIncidents = () => e2e.t.platform.db.select().from(incidents).where(eq(incidents.orgId, e2e.world.orgs.hospital));

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`waited in vain for ${what}`);
}

const obligation = (page: Page, label: string) => page.locator('li.obligation').filter({ has: page.getByRole('heading', { name: label, exact: true }) });

describe('incident declaration', () => {
  test('the RSSI declares a ransomware incident on a phone, through a dropped network and a reload', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(
      e2e,
      'declare-incident',
      async (page) => {
        await login(page, e2e.world.users.rssi.email, PASSWORD);
        await answerMfa(e2e, page, secret);
        await heading(page, 'Accueil');
        await see(page, 'Aucun incident en cours.', 'main');
        await checkA11y(page, 'home with the incidents card');

        // The navigation, behind its toggle on a phone, has the incidents group.
        await page.getByRole('button', { name: 'Navigation', exact: true }).tap();
        await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Incidents', exact: true }).tap();
        await heading(page, 'Incidents');
        await see(page, 'Aucun incident pour l’instant', 'main');
        await see(page, 'Statut NIS2', 'main');
        await checkA11y(page, 'incidents, empty');

        await page.getByRole('main').getByRole('link', { name: 'Déclarer un incident' }).first().tap();
        await heading(page, 'Déclarer un incident');
        // The declarant comes from the profile; discovered « now ».
        assert.equal(await page.getByLabel('Nom et prénom').inputValue(), 'Test rssi');
        assert.equal(await page.getByLabel('Adresse e-mail', { exact: true }).inputValue(), e2e.world.users.rssi.email);
        assert.match(await page.locator('#incident-discovered-date').inputValue(), /^\d{4}-\d{2}-\d{2}$/);
        await see(page, 'Votre saisie est enregistrée automatiquement, sur cet appareil puis dans Hygie.', '.declaration__bar');
        await checkA11y(page, 'declare, empty form');

        // The network drops as the person starts typing: the draft reaches the server, its answer never comes back.
        await dropWrites(page);
        await page.getByLabel('Titre de l’incident').fill(TITLE);
        await saveStatus(page).filter({ hasText: offline }).waitFor();
        await until(hospitalIncidents, (rows) => rows.length === 1, 'the draft on the server');
        await page.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
        await page.getByLabel('Téléphone').fill('03 20 00 00 00');
        await page.getByRole('radio', { name: 'Rançongiciel' }).check();
        await page.getByRole('radio', { name: 'Malveillante' }).check();
        await page.getByRole('radio', { name: 'En cours de confinement' }).check();
        await page.getByRole('checkbox', { name: 'Serveurs' }).check();
        await saveStatus(page).filter({ hasText: offline }).waitFor();
        await checkA11y(page, 'declare, offline');

        // A reload, still offline: the page offers to resume, and everything is there.
        await page.reload();
        await heading(page, 'Déclarer un incident');
        await see(page, 'Une déclaration commencée est gardée sur cet appareil', 'main');
        await see(page, `« ${TITLE} »`, 'main');
        await checkA11y(page, 'declare, resume offer');
        await page.getByRole('button', { name: 'Reprendre la saisie', exact: true }).tap();
        assert.equal(await page.getByLabel('Titre de l’incident').inputValue(), TITLE);
        assert.equal(await page.getByLabel('Description', { exact: true }).inputValue(), DESCRIPTION);
        assert.equal(await page.getByLabel('Téléphone').inputValue(), '03 20 00 00 00');
        assert.equal(await page.getByRole('radio', { name: 'Rançongiciel' }).isChecked(), true);
        assert.equal(await page.getByRole('radio', { name: 'Malveillante' }).isChecked(), true);
        assert.equal(await page.getByRole('radio', { name: 'En cours de confinement' }).isChecked(), true);
        assert.equal(await page.getByRole('checkbox', { name: 'Serveurs' }).isChecked(), true);
        await saveStatus(page).filter({ hasText: offline }).waitFor();

        // The network comes back: one tap sends it all.
        await page.unroute('**/api/v1/incidents**');
        await page.getByRole('button', { name: 'Réessayer maintenant', exact: true }).tap();
        await saveStatus(page).filter({ hasText: savedAt }).waitFor();
        // The retries found the same draft (same Idempotency-Key, same body): still one, now complete.
        const drafts = await hospitalIncidents();
        assert.equal(drafts.length, 1, 'one draft, never two');
        const [draft] = drafts;
        assert.equal(draft.status, 'draft');
        assert.equal(draft.title, TITLE);
        assert.equal(draft.content.description, DESCRIPTION);
        assert.equal(draft.content.type, 'ransomware');

        // The perimeter is missing: listed at the top, linked to its field, said at the field.
        await page.getByRole('button', { name: 'Déclarer l’incident', exact: true }).tap();
        const summary = page.getByRole('alert').filter({ hasText: 'Le formulaire contient 1 erreur à corriger' });
        await summary.waitFor();
        assert.equal(await hasFocus(summary), true);
        await see(page, 'Indiquez le périmètre touché', '.checkbox.field--error');
        await checkA11y(page, 'declare, missing perimeter');
        await summary.getByRole('link', { name: /Indiquez le périmètre touché/ }).click();
        const whole = page.getByRole('checkbox', { name: 'Tout l’établissement', exact: true });
        assert.equal(await hasFocus(whole), true);
        await page.keyboard.press('Space');
        assert.equal(await whole.isChecked(), true);
        await saveStatus(page).filter({ hasText: savedAt }).waitFor();

        await page.getByRole('button', { name: 'Déclarer l’incident', exact: true }).tap();
        await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
        const incidentPath = new URL(page.url()).pathname;
        await heading(page, TITLE);
        const all = await hospitalIncidents();
        assert.equal(all.length, 1, 'one declaration, never two');
        assert.equal(all[0].status, 'declared');

        // The clocks: the health authorities within 24 h, as a countdown; no CNIL yet.
        const authorities = obligation(page, 'Déclaration aux autorités sanitaires (ARS et CERT Santé)');
        await authorities.waitFor();
        assert.match(await authorities.innerText(), /reste 2[0-3] h \d{2}/);
        assert.match(await authorities.innerText(), /À faire/);
        assert.equal(await obligation(page, 'Notification à la CNIL').count(), 0);
        await checkA11y(page, 'incident, just declared');

        // The declaration to the health authorities is done, with the portal's reference.
        await authorities.getByRole('button', { name: 'Indiquer comme fait', exact: true }).tap();
        await authorities.getByLabel('Référence (si vous en avez une)').fill('ARS-2026-0042');
        await checkA11y(page, 'incident, marking an obligation done');
        await authorities.getByRole('button', { name: 'Enregistrer comme fait', exact: true }).tap();
        await see(page, 'Référence : ARS-2026-0042.', 'li.obligation');
        assert.match(await authorities.innerText(), /Fait/);
        assert.doesNotMatch(await authorities.innerText(), /reste/);
        await checkA11y(page, 'incident, obligation done');

        // Completing: personal data are touched, the CNIL clock (72 h) appears.
        await page.getByRole('link', { name: 'Compléter la déclaration', exact: true }).tap();
        await heading(page, 'Compléter la déclaration');
        assert.equal(await page.getByLabel('Titre de l’incident').inputValue(), TITLE);
        await checkA11y(page, 'complete');
        await page.getByRole('checkbox', { name: 'Des données personnelles sont touchées (patients, personnel)' }).check();
        await page.getByLabel('Commentaire (facultatif)').fill('Des dossiers patients étaient sur les serveurs chiffrés.');
        await page.getByRole('button', { name: 'Enregistrer les compléments', exact: true }).tap();
        await heading(page, TITLE);
        const cnil = obligation(page, 'Notification à la CNIL');
        await cnil.waitFor();
        assert.match(await cnil.innerText(), /reste 2 j 2[0-3] h/);
        await checkA11y(page, 'incident, completed');

        // The history shows who changed what, in French.
        await page.getByRole('link', { name: 'Historique', exact: true }).tap();
        await heading(page, 'Historique de la déclaration');
        const latest = page.locator('li.revision').first();
        assert.match(await latest.innerText(), /Compléments/);
        assert.match(await latest.innerText(), /Par Test rssi\./);
        assert.match(await latest.innerText(), /Données personnelles touchées/);
        assert.match(await latest.innerText(), /Des dossiers patients étaient sur les serveurs chiffrés\./);
        await see(page, 'Déclaration initiale', 'main');
        await checkA11y(page, 'history');

        // The list shows it, with its next deadline as a countdown; the filter is in the URL.
        await page.goto('/incidents?etat=declare');
        await heading(page, 'Incidents');
        const card = page.locator('li.incident-card').filter({ hasText: TITLE });
        await card.waitFor();
        assert.match(await card.innerText(), /Déclaré/);
        assert.match(await card.innerText(), /Prochaine échéance : Notification à la CNIL —\s+reste 2 j/);
        assert.equal(await page.getByRole('link', { name: 'Déclarés', exact: true }).getAttribute('aria-current'), 'page');
        await checkA11y(page, 'incidents, declared filter');
        await page.getByRole('link', { name: 'Brouillons', exact: true }).tap();
        await see(page, 'Aucun incident « Brouillons »', 'main');
        assert.match(page.url(), /etat=brouillon/);
        await checkA11y(page, 'incidents, no draft');

        // Closing, with lessons learned: too short first, then confirmed.
        await page.goto(incidentPath);
        await heading(page, TITLE);
        await page.getByRole('link', { name: 'Clore l’incident', exact: true }).click();
        await heading(page, 'Clore l’incident');
        await see(page, 'Des délais réglementaires sont encore « À faire »', 'main');
        await page.getByLabel('Retour d’expérience').fill('Court');
        await page.getByRole('button', { name: 'Clore l’incident', exact: true }).click();
        await page.getByRole('alert').filter({ hasText: 'Le formulaire contient 1 erreur à corriger' }).waitFor();
        await checkA11y(page, 'close, lessons too short');
        await page.getByLabel('Retour d’expérience').fill('Sauvegardes hors ligne à tester chaque mois ; procédures papier du laboratoire à imprimer.');
        await page.getByRole('button', { name: 'Clore l’incident', exact: true }).click();
        const confirm = page.getByRole('dialog', { name: 'Clore l’incident ?' });
        await confirm.waitFor();
        await confirm.getByRole('button', { name: 'Clore l’incident', exact: true }).click();
        await heading(page, TITLE);
        await see(page, 'Sauvegardes hors ligne à tester chaque mois', 'main');
        assert.equal(await page.getByRole('link', { name: 'Compléter la déclaration', exact: true }).count(), 0);
        assert.equal(await page.getByRole('button', { name: 'Indiquer comme fait' }).count(), 0);
        await checkA11y(page, 'incident, closed');
        assert.equal((await hospitalIncidents())[0].status, 'closed');
      },
      PHONE,
    );
  });
  test('someone else saves the same draft meanwhile: nothing typed is lost, the person chooses', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'declare-conflict', async (page) => {
      await login(page, e2e.world.users.rssi.email, PASSWORD);
      await answerMfa(e2e, page, secret);
      await heading(page, 'Accueil');
      await page.goto('/incidents/declarer');
      await heading(page, 'Déclarer un incident');
      await page.getByLabel('Titre de l’incident').fill('Hameçonnage au secrétariat');
      await saveStatus(page).filter({ hasText: savedAt }).waitFor();
      const [draft] = (await hospitalIncidents()).filter((row) => row.status === 'draft');
      assert.ok(draft, 'the draft is on the server');

      // The direction saves the same draft from another device.
      const direction = (await signInThroughApi(e2e, e2e.world.users.direction.email)).client;
      const other = await direction.put(`/api/v1/incidents/${draft.id}/draft`, { version: draft.version, content: { title: 'Hameçonnage : messagerie du secrétariat' } });
      assert.equal(other.statusCode, 200, other.body);

      // The RSSI's next save meets it: both are kept until the RSSI chooses.
      await page.getByLabel('Description', { exact: true }).fill('Trois personnes ont saisi leur mot de passe sur un faux site.');
      const conflict = page.locator('.conflict');
      await conflict.getByText('Quelqu’un a enregistré cette déclaration le').waitFor();
      assert.match(await conflict.innerText(), /Titre/);
      assert.match(await conflict.innerText(), /Description/);
      await saveStatus(page).filter({ hasText: 'Non enregistré : choisissez la version à garder, en haut du formulaire.' }).waitFor();
      assert.equal(await page.getByLabel('Titre de l’incident').inputValue(), 'Hameçonnage au secrétariat');
      await checkA11y(page, 'declare, conflict');

      await conflict.getByRole('button', { name: 'Garder ma saisie', exact: true }).focus();
      await page.keyboard.press('Enter');
      await saveStatus(page).filter({ hasText: savedAt }).waitFor();
      const [kept] = (await hospitalIncidents()).filter((row) => row.id === draft.id);
      assert.equal(kept.title, 'Hameçonnage au secrétariat');
      assert.equal(kept.content.description, 'Trois personnes ont saisi leur mot de passe sur un faux site.');

      // The draft is listed, and opening it from the list resumes it.
      await page.goto('/incidents?etat=brouillon');
      await heading(page, 'Incidents');
      await page.getByRole('link', { name: 'Hameçonnage au secrétariat', exact: true }).click();
      await heading(page, 'Déclarer un incident');
      assert.match(page.url(), new RegExp(`brouillon=${draft.id}`));
      assert.equal(await page.getByLabel('Description', { exact: true }).inputValue(), 'Trois personnes ont saisi leur mot de passe sur un faux site.');

      // Not an incident after all: the draft is deleted, after a confirmation.
      await page.getByRole('button', { name: 'Supprimer ce brouillon', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Supprimer ce brouillon ?' });
      await dialog.waitFor();
      await checkA11y(page, 'declare, confirm deletion');
      await dialog.getByRole('button', { name: 'Supprimer le brouillon', exact: true }).click();
      await heading(page, 'Incidents');
      assert.equal((await hospitalIncidents()).filter((row) => row.id === draft.id).length, 0);
    });
  });
});
