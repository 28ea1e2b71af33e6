/**
 * Funding programmes in the browser: the regional coordinator creates a programme (one
 * prerequisite, one objective) through its form; CH Nord's RSSI sees the objective locked,
 * declares the prerequisite; the coordinator asks for more (a comment is required), the RSSI
 * reads the request and declares again, the coordinator validates, and the objective opens.
 * Then the RSSI reads « Se situer ». axe finds nothing on each page state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, focused, heading, JOURNEY_TIMEOUT_MS, journey, login, see, signInThroughApi, startE2E } from './support';

let e2e: E2E;
let coordSecret = '';
let rssiSecret = '';

before(async () => {
  e2e = await startE2E();
  coordSecret = await enrolMfaThroughApi(e2e, e2e.world.users.coordRegion.email);

  // CH Nord's RSSI, through the API: enrols two-factor authentication, answers and submits a
  // diagnostic on the référentiel, so that « Se situer » has his scores.
  const { client: rssi, secret } = await signInThroughApi(e2e, e2e.world.users.rssi.email);
  rssiSecret = secret;
  const frameworks = (await rssi.get('/api/v1/frameworks')).json().frameworks as { id: string; kind: string }[];
  const referentiel = frameworks.find((f) => f.kind === 'referentiel');
  assert.ok(referentiel, 'a référentiel framework is present in test databases');
  const started = await rssi.post('/api/v1/assessments', { orgId: e2e.world.orgs.hospital, frameworkId: referentiel.id, title: 'Diagnostic 2026' });
  assert.equal(started.statusCode, 200, started.body);
  const assessmentId = started.json().assessment.id as string;
  const nodes = (await rssi.get(`/api/v1/frameworks/${referentiel.id}`)).json().nodes as { id: string; assessable: boolean }[];
  for (const [index, node] of nodes.filter((n) => n.assessable).entries()) {
    const saved = await rssi.put(`/api/v1/assessments/${assessmentId}/answers/${node.id}`, { version: 0, status: index % 2 === 0 ? 'oui' : 'partiel' });
    assert.equal(saved.statusCode, 200, saved.body);
  }
  const submitted = await rssi.post(`/api/v1/assessments/${assessmentId}/submit`);
  assert.equal(submitted.statusCode, 200, submitted.body);
  await rssi.post('/api/v1/auth/logout');
});
after(async () => {
  await e2e?.close();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });
const PROGRAMME = 'CaRE 2026 — domaine 1';
const LOCKED = 'Indisponible tant que les prérequis ne sont pas tous validés.';

/** The RSSI's card for a milestone, by its heading. */
const card = (page: Page, heading: string): Locator => page.locator('li.card').filter({ has: page.getByRole('heading', { level: 3, name: heading }) });

/** The coordinator's grid cell for CH Nord on a milestone's row. */
const gridRow = (page: Page, milestone: string): Locator =>
  page.getByRole('table', { name: `Jalons du programme « ${PROGRAMME} » par établissement` }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: milestone }) });

async function reloadFunding(page: Page) {
  await page.goto('/pilotage/financements');
  await heading(page, 'Financements');
  await page.getByRole('heading', { level: 2, name: PROGRAMME }).waitFor();
}

describe('financements', () => {
  test('the coordinator creates a programme; CH Nord declares, is asked for more, is validated; then compares itself', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'funding-programme', async (coord, people) => {
      // --- The coordinator creates the programme through the form.
      await login(coord, e2e.world.users.coordRegion.email, PASSWORD);
      await answerMfa(e2e, coord, coordSecret);
      await heading(coord, 'Accueil');
      await nav(coord).getByRole('link', { name: 'Financements', exact: true }).click();
      await heading(coord, 'Financements');
      await checkA11y(coord, 'funding, coordinator, empty');
      await coord.getByRole('link', { name: 'Créer un programme', exact: true }).first().click();
      await coord.waitForURL((url) => url.pathname === '/pilotage/financements/nouveau');
      await heading(coord, 'Créer un programme de financement');
      await checkA11y(coord, 'new programme');

      // Nothing typed: every error is listed at the top and shown at its field.
      await coord.getByRole('button', { name: 'Créer le programme', exact: true }).click();
      const summary = coord.getByRole('alert').filter({ hasText: 'Le nom du programme doit contenir au moins 3 caractères.' });
      await summary.waitFor();
      await summary.getByText('Le code du jalon est obligatoire.').waitFor();
      await coord.locator('#programme-name-error').getByText('Le nom du programme doit contenir au moins 3 caractères.').waitFor();
      await checkA11y(coord, 'new programme, with errors');

      await coord.getByLabel('Nom du programme', { exact: true }).fill(PROGRAMME);
      await coord.getByLabel('Description (facultative)', { exact: true }).fill('Sécuriser l’annuaire avant de financer la supervision.');
      const first = coord.getByRole('group', { name: 'Jalon 1' });
      await first.getByRole('radio', { name: 'Prérequis', exact: true }).check();
      await first.getByLabel('Code', { exact: true }).fill('P1');
      await first.getByLabel('Intitulé', { exact: true }).fill('Annuaire sécurisé');
      await first.getByLabel('Montant en euros (facultatif)', { exact: true }).fill('10 000');

      // « Ajouter un jalon » from the keyboard: the new milestone's first field takes the focus.
      await coord.getByRole('button', { name: 'Ajouter un jalon', exact: true }).focus();
      await coord.keyboard.press('Enter');
      const second = coord.getByRole('group', { name: 'Jalon 2' });
      await second.waitFor();
      assert.equal((await focused(coord)).id, await second.getByRole('radio', { name: 'Prérequis', exact: true }).getAttribute('id'));
      // Arrow keys move between the kinds, as radio buttons do.
      await coord.keyboard.press('ArrowRight');
      assert.equal(await second.getByRole('radio', { name: 'Objectif', exact: true }).isChecked(), true);
      await second.getByLabel('Code', { exact: true }).fill('O1');
      await second.getByLabel('Intitulé', { exact: true }).fill('Supervision des journaux');
      await second.getByLabel('Montant en euros (facultatif)', { exact: true }).fill('25000');

      // A third milestone, removed again from the keyboard: the focus goes to the one before.
      await coord.getByRole('button', { name: 'Ajouter un jalon', exact: true }).click();
      const third = coord.getByRole('group', { name: 'Jalon 3' });
      await third.getByLabel('Code', { exact: true }).fill('O1');
      await checkA11y(coord, 'new programme, three milestones');
      await third.getByRole('button', { name: 'Retirer', exact: true }).focus();
      await coord.keyboard.press('Enter');
      await third.waitFor({ state: 'detached' });
      assert.equal((await focused(coord)).id, await second.getByRole('radio', { name: 'Prérequis', exact: true }).getAttribute('id'));

      await coord.getByRole('button', { name: 'Créer le programme', exact: true }).click();
      await coord.waitForURL((url) => url.pathname === '/pilotage/financements');
      await heading(coord, 'Financements');
      await coord.getByRole('status').getByText(`Programme « ${PROGRAMME} » créé.`).waitFor();
      await coord.getByRole('heading', { level: 2, name: PROGRAMME }).waitFor();
      await gridRow(coord, 'Prérequis P1 — Annuaire sécurisé').getByText('Non déclaré').first().waitFor();
      await checkA11y(coord, 'funding, coordinator, programme');

      // --- CH Nord's RSSI: the objective is locked until the prerequisite is validated.
      const rssi = await people.open();
      await login(rssi, e2e.world.users.rssi.email, PASSWORD);
      await answerMfa(e2e, rssi, rssiSecret);
      await heading(rssi, 'Accueil');
      await rssi.goto('/pilotage/financements');
      await heading(rssi, 'Financements');
      await rssi.getByRole('heading', { level: 2, name: PROGRAMME }).waitFor();
      const objective = card(rssi, 'Objectif O1 — Supervision des journaux');
      const prerequisite = card(rssi, 'Prérequis P1 — Annuaire sécurisé');
      const lockedButton = objective.getByRole('button', { name: 'Déclarer atteint', exact: true });
      assert.equal(await lockedButton.isDisabled(), true);
      await objective.getByText(LOCKED).waitFor();
      assert.equal(await lockedButton.getAttribute('aria-describedby'), await objective.getByText(LOCKED).getAttribute('id'));
      await see(rssi, 'Les objectifs pourront être déclarés quand tous les prérequis auront été validés par la région.', 'main');
      await checkA11y(rssi, 'funding, establishment, locked');

      await prerequisite.getByRole('button', { name: 'Déclarer atteint', exact: true }).click();
      await prerequisite.getByLabel('Preuve', { exact: true }).fill('Procès-verbal du comité du 12 mars');
      await checkA11y(rssi, 'funding, establishment, declaring');
      await prerequisite.getByRole('button', { name: 'Envoyer la déclaration', exact: true }).click();
      await rssi.getByRole('status').getByText('Jalon P1 déclaré : la région va l’examiner.').waitFor();
      await prerequisite.getByText('Déclaré, à examiner').waitFor();

      // --- The coordinator asks for more: the comment is required.
      await reloadFunding(coord);
      await coord.getByRole('button', { name: 'Examiner la déclaration de CH Nord', exact: true }).click();
      const panel = coord.getByRole('group', { name: 'Déclaration du jalon P1 par CH Nord' });
      await panel.getByText('Procès-verbal du comité du 12 mars').waitFor();
      await panel.getByRole('button', { name: 'Demander des compléments', exact: true }).click();
      await panel.getByRole('alert').getByText("Précisez ce qui manque : l'établissement recevra votre commentaire.").waitFor();
      await panel.locator('.field__error').getByText("Précisez ce qui manque : l'établissement recevra votre commentaire.").waitFor();
      await checkA11y(coord, 'review, comment missing');
      await panel.getByLabel('Votre commentaire', { exact: true }).fill('Joignez le procès-verbal signé.');
      await panel.getByRole('button', { name: 'Demander des compléments', exact: true }).click();
      await coord.getByRole('status').getByText('Compléments demandés à CH Nord.').waitFor();
      await gridRow(coord, 'Prérequis P1 — Annuaire sécurisé').getByText('Compléments demandés').waitFor();
      await checkA11y(coord, 'funding, coordinator, more info asked');

      // --- The RSSI reads the request and declares again.
      await reloadFunding(rssi);
      await prerequisite.getByText('Compléments demandés').waitFor();
      await prerequisite.getByText('Message de la région').waitFor();
      await prerequisite.getByText('Joignez le procès-verbal signé.').waitFor();
      assert.equal(await lockedButton.isDisabled(), true);
      await checkA11y(rssi, 'funding, establishment, more info asked');
      await prerequisite.getByRole('button', { name: 'Déclarer atteint', exact: true }).click();
      await prerequisite.getByLabel('Preuve', { exact: true }).fill('Procès-verbal signé du comité du 12 mars');
      await prerequisite.getByRole('button', { name: 'Envoyer la déclaration', exact: true }).click();
      await rssi.getByRole('status').getByText('Jalon P1 déclaré : la région va l’examiner.').waitFor();

      // --- The coordinator validates.
      await reloadFunding(coord);
      await coord.getByRole('button', { name: 'Examiner la déclaration de CH Nord', exact: true }).click();
      await panel.getByText('Procès-verbal signé du comité du 12 mars').waitFor();
      await checkA11y(coord, 'review, second declaration');
      await panel.getByRole('button', { name: 'Valider', exact: true }).click();
      await coord.getByRole('status').getByText('Jalon validé pour CH Nord.').waitFor();
      await gridRow(coord, 'Prérequis P1 — Annuaire sécurisé').getByText('Validé').waitFor();
      await checkA11y(coord, 'funding, coordinator, validated');

      // --- The objective is now open to CH Nord.
      await reloadFunding(rssi);
      await prerequisite.getByText('Validé', { exact: true }).waitFor();
      await objective.getByRole('button', { name: 'Déclarer atteint', exact: true }).waitFor();
      assert.equal(await objective.getByRole('button', { name: 'Déclarer atteint', exact: true }).isEnabled(), true);
      assert.equal(await objective.getByText(LOCKED).count(), 0);
      await see(rssi, /^1\sjalon\svalidé\ssur\s2\s;\smontant\svalidé\s:\s10\s000\s€\.$/, 'main');
      await checkA11y(rssi, 'funding, establishment, objective open');

      // --- « Se situer »: his scores beside the anonymous medians, masked for too few.
      await nav(rssi).getByRole('link', { name: 'Se situer', exact: true }).click();
      await rssi.waitForURL((url) => url.pathname === '/pilotage/observatoire');
      await heading(rssi, 'Se situer');
      const table = rssi.getByRole('table', { name: 'Vos scores et les médianes anonymes (sur 100)' });
      await table.getByRole('rowheader', { name: 'Score global' }).waitFor();
      await table.getByRole('columnheader', { name: 'CH Nord' }).waitFor();
      await table.getByText('Masquée (trop peu d’établissements)').first().waitFor();
      await see(rssi, /Une médiane calculée sur moins de \d+ établissements? est masquée/, 'main');
      await checkA11y(rssi, 'benchmark');
    });
  });
});
