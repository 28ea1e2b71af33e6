/**
 * Diagnostic & plan d'action in the browser: the RSSI starts a diagnostic, answers (autosave,
 * reload, a conflict with the direction, a dropped network), reads the results (radar chart
 * and its table), plans an action from a gap and moves it on the board with the keyboard; a
 * regional coordinator imports a CISO Assistant library (a broken file, then a good one).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, hasFocus, heading, JOURNEY_TIMEOUT_MS, journey, login, see, signInThroughApi, startE2E } from './support';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/ciso-library-sample.yaml');

let e2e: E2E;
const secrets: Record<string, string> = {};
before(async () => {
  e2e = await startE2E();
  for (const who of ['rssi', 'coordRegion'] as const) secrets[who] = await enrolMfaThroughApi(e2e, e2e.world.users[who].email);
});
after(async () => {
  await e2e?.close();
});

async function signInAs(page: Page, who: 'rssi' | 'coordRegion') {
  await login(page, e2e.world.users[who].email, PASSWORD);
  await answerMfa(e2e, page, secrets[who]);
  await heading(page, 'Accueil');
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });
/** A measure's card, by the start of its title (« Q01 — … »). */
const measure = (page: Page, ref: string) => page.locator('article.measure').filter({ has: page.getByRole('heading', { name: new RegExp(`^${ref} — `) }) });
const saved = (card: Locator) => card.getByRole('status').filter({ hasText: /^Enregistré à \d{1,2}\sh\s\d{2}$/ });

describe('diagnostic', () => {
  let assessmentUrl = '';

  test('the RSSI starts the express diagnostic and answers: autosave, reload, conflict, offline', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'answer-diagnostic', async (page) => {
      await signInAs(page, 'rssi');
      // The home page says there is none yet.
      await see(page, 'Aucun diagnostic en cours.', 'main');

      await nav(page).getByRole('link', { name: 'Diagnostics', exact: true }).click();
      await heading(page, 'Diagnostics');
      await see(page, "Aucun diagnostic pour l'instant", 'main');
      await checkA11y(page, 'assessments, empty');

      await page.getByRole('link', { name: 'Démarrer un diagnostic' }).first().click();
      await heading(page, 'Démarrer un diagnostic');
      await page.getByRole('radio', { name: /Diagnostic express/ }).check();
      await checkA11y(page, 'start');
      await page.getByRole('button', { name: 'Démarrer le diagnostic', exact: true }).click();
      await page.waitForURL(/\/diagnostic\/[0-9a-f-]{36}$/);
      assessmentUrl = new URL(page.url()).pathname;
      await measure(page, 'Q01').waitFor();
      const title = await page.locator('h1').innerText();
      assert.match(title, /^Diagnostic express de sécurité informatique — /);
      await heading(page, title);
      assert.match(await page.locator('.summary-card').innerText(), /0 mesure renseignée sur 15/);
      await checkA11y(page, 'answering, nothing answered');

      // Choices are saved at once, text after a pause; each measure says when it was saved.
      const q1 = measure(page, 'Q01');
      await q1.getByRole('radio', { name: 'Oui', exact: true }).check();
      await saved(q1).waitFor();
      const q2 = measure(page, 'Q02');
      await q2.getByRole('radio', { name: 'Non', exact: true }).check();
      await saved(q2).waitFor();
      const q3 = measure(page, 'Q03');
      await q3.getByRole('radio', { name: 'Partiellement', exact: true }).check();
      await q3.getByRole('radio', { name: /^Niveau 1 — / }).check();
      await q3.getByLabel('Commentaire').fill('Les mots de passe des postes des soignants sont trop courts.');
      await q3.getByRole('status').filter({ hasText: 'Enregistrement…' }).waitFor();
      await saved(q3).waitFor();
      await see(page, '3 mesures renseignées sur 15', '.summary-card');
      await see(page, 'Toutes vos réponses sont enregistrées.', '.summary-card');
      await see(page, /Dernière modification : Test rssi, /, 'article.measure');
      await checkA11y(page, 'answering, three answered');

      // A reload keeps everything.
      await page.reload();
      await measure(page, 'Q03').waitFor();
      assert.equal(await measure(page, 'Q01').getByRole('radio', { name: 'Oui', exact: true }).isChecked(), true);
      assert.equal(await measure(page, 'Q02').getByRole('radio', { name: 'Non', exact: true }).isChecked(), true);
      assert.equal(await measure(page, 'Q03').getByRole('radio', { name: 'Partiellement', exact: true }).isChecked(), true);
      assert.equal(await measure(page, 'Q03').getByLabel('Commentaire').inputValue(), 'Les mots de passe des postes des soignants sont trop courts.');

      // The direction saves Q01 meanwhile: the RSSI's next change meets it, and both are shown.
      const direction = (await signInThroughApi(e2e, e2e.world.users.direction.email)).client;
      const assessmentId = assessmentUrl.split('/').pop()!;
      const q1Id = (await measure(page, 'Q01').getAttribute('aria-labelledby'))!.replace(/^measure-|-title$/g, '');
      const theirs = await direction.put(`/api/v1/assessments/${assessmentId}/answers/${q1Id}`, { version: 1, status: 'oui', comment: 'Voir la lettre de mission signée en janvier.' });
      assert.equal(theirs.statusCode, 200, theirs.body);

      const q1Again = measure(page, 'Q01');
      await q1Again.getByLabel('Commentaire').fill('Le RSSI du GHT assure la fonction.');
      const conflict = q1Again.getByRole('alert');
      await conflict.getByText('Test direction a modifié cette mesure pendant que vous écriviez.').waitFor();
      assert.match(await conflict.innerText(), /Voir la lettre de mission signée en janvier\./);
      assert.match(await conflict.innerText(), /Le RSSI du GHT assure la fonction\./);
      await checkA11y(page, 'answering, conflict');
      await conflict.getByRole('button', { name: 'Garder ma version', exact: true }).click();
      await saved(q1Again).waitFor();
      assert.equal(await q1Again.getByLabel('Commentaire').inputValue(), 'Le RSSI du GHT assure la fonction.');

      // The network drops (while answering a backup question): the answer waits on the device, then is saved.
      const q10 = measure(page, 'Q10');
      await page.context().setOffline(true);
      await q10.getByRole('radio', { name: 'Non', exact: true }).check();
      await q10.getByRole('status').filter({ hasText: /^Pas de connexion/ }).waitFor();
      await page.context().setOffline(false);
      // Back online, the page sends it by itself.
      await saved(q10).waitFor();

      // Typed and reloaded at once, before the pause that sends text: kept on the device, then sent.
      await measure(page, 'Q11').getByLabel('Commentaire').fill('Sauvegarde sur disque USB chaque vendredi.');
      await page.reload();
      await saved(measure(page, 'Q11')).waitFor();
      assert.equal(await measure(page, 'Q11').getByLabel('Commentaire').inputValue(), 'Sauvegarde sur disque USB chaque vendredi.');

      await page.reload();
      await measure(page, 'Q10').waitFor();
      assert.equal(await measure(page, 'Q11').getByLabel('Commentaire').inputValue(), 'Sauvegarde sur disque USB chaque vendredi.');
      assert.equal(await measure(page, 'Q01').getByLabel('Commentaire').inputValue(), 'Le RSSI du GHT assure la fonction.');
      assert.equal(await measure(page, 'Q10').getByRole('radio', { name: 'Non', exact: true }).isChecked(), true);
      // A comment alone is not an answer: still four measures answered.
      await see(page, '4 mesures renseignées sur 15', '.summary-card');
    });
  });

  test('the RSSI reads the results, with the radar chart and its table, and plans an action from a gap', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    assert.ok(assessmentUrl, 'the first journey started a diagnostic');
    await journey(e2e, 'results-and-plan', async (page) => {
      await signInAs(page, 'rssi');
      await page.goto(`${assessmentUrl}/resultats`);
      await heading(page, 'Résultats du diagnostic');

      // The chart, its table, and a sentence that says what it shows.
      const chart = page.getByRole('img', { name: /^Graphique radar des scores par objectif\./ });
      await chart.waitFor();
      assert.ok((await chart.locator('svg').count()) > 0, 'the radar is drawn');
      const table = page.getByRole('table', { name: 'Scores par objectif et sous-objectif, sur 100' });
      await table.waitFor();
      assert.ok((await table.locator('tbody tr').count()) >= 3);
      await see(page, /Le point le plus faible est «\s.+\s» \(\d+ sur 100\)/, 'main');
      await see(page, 'Comment le score est calculé', 'main');
      await checkA11y(page, 'results');

      // The gap list: « Non » to « Q02 », essential or not, is there; plan it.
      const gaps = page.getByRole('table', { name: /mesures? à améliorer/ });
      const row = gaps.locator('tbody tr').filter({ hasText: /^Q02 — / });
      await row.getByRole('link', { name: /Créer une action/ }).click();
      await heading(page, 'Ajouter une action');
      await see(page, /Action pour la mesure «\sQ02 — /, 'main');
      const title = page.getByLabel('Intitulé', { exact: true });
      assert.ok((await title.inputValue()).length >= 3, 'the usual action fills the title');
      await title.fill('Créer un identifiant par soignant dans le logiciel de soins');
      await page.getByLabel('Responsable', { exact: true }).selectOption({ label: 'Test rssi' });
      await page.getByLabel('Échéance (facultatif)').fill('2027-03-31');
      await page.getByLabel('Coût estimé en euros (facultatif)').fill('1 500');
      await checkA11y(page, 'new action');
      await page.getByRole('button', { name: "Ajouter l'action" }).click();

      // The plan, as a list sorted by due date.
      await page.waitForURL((url) => url.pathname === '/diagnostic/plan');
      await heading(page, "Plan d'action");
      const list = page.getByRole('table', { name: /1 action, par échéance/ });
      const action = list.locator('tbody tr').filter({ hasText: 'Créer un identifiant par soignant dans le logiciel de soins' });
      await action.waitFor();
      assert.match(await action.innerText(), /Test rssi/);
      assert.match(await action.innerText(), /31 mars 2027/);
      assert.match(await action.innerText(), /À faire/);
      await see(page, '0 action faite sur 1 (0 %)', 'main');
      await checkA11y(page, 'plan, list');

      // The board: the card moves to « En cours » with the keyboard, and the focus follows it.
      await page.getByRole('link', { name: 'Tableau par état' }).click();
      await page.waitForURL((url) => url.searchParams.get('vue') === 'tableau');
      const todo = page.getByRole('region', { name: /^À faire/ });
      const doing = page.getByRole('region', { name: /^En cours/ });
      await todo.getByRole('heading', { name: 'Créer un identifiant par soignant dans le logiciel de soins' }).waitFor();
      await checkA11y(page, 'plan, board');
      const move = todo.getByRole('button', { name: /Passer à\s«\sEn cours\s»/ });
      await move.focus();
      await page.keyboard.press('Enter');
      const moved = doing.getByRole('heading', { name: 'Créer un identifiant par soignant dans le logiciel de soins' });
      await moved.waitFor();
      await page.waitForFunction(() => document.activeElement?.tagName === 'H3');
      assert.equal(await hasFocus(moved), true, 'the focus follows the card');
      assert.equal(await todo.getByRole('heading', { level: 3 }).count(), 0);
      await see(page, /«\sCréer un identifiant par soignant dans le logiciel de soins\s» : En cours\./, '[role="status"]');
      await checkA11y(page, 'plan, board after a move');

      // Kept in the URL: a reload shows the board again, with the card in its new column.
      await page.reload();
      await page.getByRole('region', { name: /^En cours/ }).getByRole('heading', { name: 'Créer un identifiant par soignant dans le logiciel de soins' }).waitFor();

      // Back on the results, the gap shows its planned action.
      await page.goto(`${assessmentUrl}/resultats`);
      await heading(page, 'Résultats du diagnostic');
      const planned = page.getByRole('table', { name: /mesures? à améliorer/ }).locator('tbody tr').filter({ hasText: /^Q02 — / });
      await planned.getByText('Créer un identifiant par soignant dans le logiciel de soins').waitFor();
    });
  });
});

describe('frameworks', () => {
  test('a regional coordinator imports a library: a broken file shows its problems by line, a good one its preview', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'import-framework', async (page) => {
      await signInAs(page, 'coordRegion');
      await nav(page).getByRole('link', { name: 'Référentiels', exact: true }).click();
      await heading(page, 'Référentiels');
      await see(page, 'Diagnostic express de sécurité informatique', 'main');
      await checkA11y(page, 'frameworks');
      await page.getByRole('link', { name: 'Importer un référentiel' }).click();
      await heading(page, 'Importer un référentiel');
      await checkA11y(page, 'import');

      const good = readFileSync(FIXTURE);
      const broken = Buffer.from(good.toString('utf8').replace(/depth: 3(\n\s+parent_urn: [^\n]+gouv\.pilotage\n\s+ref_id: GOUV\.1\.1)/, 'depth: trois$1'));
      assert.notEqual(broken.toString(), good.toString());
      const file = page.getByLabel('Fichier de la bibliothèque');
      await file.setInputFiles({ name: 'bibliotheque-cassee.yaml', mimeType: 'application/yaml', buffer: broken });
      await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
      const problems = page.getByRole('alert').filter({ hasText: /Le fichier contient 1 problème à corriger/ });
      await problems.waitFor();
      assert.match(await problems.innerText(), /Ligne \d+\s:\s*«\sdepth\s» doit être un nombre/);
      assert.equal(await page.getByRole('button', { name: 'Importer', exact: true }).count(), 0);
      await checkA11y(page, 'import, problems');

      await file.setInputFiles({ name: 'ciso-library-sample.yaml', mimeType: 'application/yaml', buffer: good });
      await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
      await see(page, /Nouveau référentiel «\sÉchantillon cyber santé\s», version 1 : 10 éléments, dont 6 mesures\./, 'main');
      assert.equal(await page.getByRole('alert').filter({ hasText: 'problème' }).count(), 0);
      await checkA11y(page, 'import, preview');
      await page.getByRole('button', { name: 'Importer', exact: true }).click();

      await heading(page, 'Échantillon cyber santé');
      await see(page, /«\sÉchantillon cyber santé\s» version 1 est importé\./, '[role="status"]');
      const gouvernance = page.getByRole('button', { name: /GOUV — Gouvernance/ });
      if ((await gouvernance.getAttribute('aria-expanded')) !== 'true') await gouvernance.click();
      await see(page, 'Un responsable de la sécurité est désigné', 'main');
      await checkA11y(page, 'imported framework');

      // The same file again changes nothing, and says so.
      await page.goto('/diagnostic/referentiels/importer');
      await heading(page, 'Importer un référentiel');
      await page.getByLabel('Fichier de la bibliothèque').setInputFiles({ name: 'ciso-library-sample.yaml', mimeType: 'application/yaml', buffer: good });
      await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
      await see(page, /«\sÉchantillon cyber santé\s» est déjà importé en version 1 : rien ne changera\./, 'main');
      assert.equal(await page.getByRole('button', { name: 'Importer', exact: true }).count(), 0);
    });
  });
});
