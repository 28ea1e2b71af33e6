/**
 * Pilotage régional in the browser: the regional coordinator launches a campaign for two
 * establishments through the form, follows it, reminds the late ones (toast), then reads the
 * observatory (chart and its table); axe finds nothing on each page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, heading, JOURNEY_TIMEOUT_MS, journey, login, see, signInThroughApi, startE2E } from './support';

let e2e: E2E;

/** A calendar date `days` after the app's clock, in Paris. */
function dateIn(days: number): string {
  const at = new Date(e2e.t.clock.now().getTime() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

let coordSecret = '';

before(async () => {
  e2e = await startE2E();
  const coord = await signInThroughApi(e2e, e2e.world.users.coordRegion.email);
  coordSecret = coord.secret;
  const rssi = (await signInThroughApi(e2e, e2e.world.users.rssi.email)).client;

  // An earlier campaign, launched through the API, that CH Nord has answered and submitted.
  const frameworks = (await coord.client.get('/api/v1/frameworks')).json().frameworks as { id: string; kind: string }[];
  const referentiel = frameworks.find((f) => f.kind === 'referentiel');
  assert.ok(referentiel, 'a référentiel framework is present in test databases');
  const created = await coord.client.post('/api/v1/campaigns', {
    orgId: e2e.world.orgs.north,
    frameworkId: referentiel.id,
    title: 'Campagne de printemps',
    deadline: dateIn(20),
    establishmentIds: [e2e.world.orgs.hospital],
  });
  assert.equal(created.statusCode, 200, created.body);
  const assessmentId = created.json().establishments[0].assessment.id as string;
  const nodes = (await rssi.get(`/api/v1/frameworks/${referentiel.id}`)).json().nodes as { id: string; assessable: boolean }[];
  for (const [index, node] of nodes.filter((n) => n.assessable).entries()) {
    const saved = await rssi.put(`/api/v1/assessments/${assessmentId}/answers/${node.id}`, { version: 0, status: index % 3 === 0 ? 'partiel' : 'oui' });
    assert.equal(saved.statusCode, 200, saved.body);
  }
  const submitted = await rssi.post(`/api/v1/assessments/${assessmentId}/submit`);
  assert.equal(submitted.statusCode, 200, submitted.body);
});
after(async () => {
  await e2e?.close();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });

describe('pilotage régional', () => {
  test('the regional coordinator launches a campaign, follows it, reminds the late ones, reads the observatory', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'region-campaign', async (page) => {
      await login(page, e2e.world.users.coordRegion.email, PASSWORD);
      await answerMfa(e2e, page, coordSecret);
      await heading(page, 'Accueil');
      // The home card: the campaign under way.
      await see(page, '« Campagne de printemps » : 1 établissement sur 1 a soumis.', 'main');

      await nav(page).getByRole('link', { name: 'Campagnes', exact: true }).click();
      await heading(page, "Campagnes d'évaluation");
      await see(page, 'Campagne de printemps', 'main');
      await checkA11y(page, 'campaigns');

      await page.getByRole('link', { name: 'Lancer une campagne' }).first().click();
      await heading(page, 'Lancer une campagne');
      // Nothing chosen: the errors are listed, nothing is sent.
      await page.getByRole('button', { name: 'Lancer la campagne', exact: true }).click();
      await see(page, 'Choisissez au moins un établissement.', 'main');
      await checkA11y(page, 'launch, with errors');
      await page.getByLabel('Titre de la campagne', { exact: true }).fill('Campagne 2026');
      await page.getByLabel('Date limite de soumission', { exact: true }).fill(dateIn(30));
      await page.getByRole('checkbox', { name: 'Tout sélectionner' }).check();
      assert.equal(await page.getByRole('checkbox', { name: 'CH Nord' }).isChecked(), true);
      assert.equal(await page.getByRole('checkbox', { name: 'EHPAD Nord' }).isChecked(), true);
      await see(page, '2 établissements sélectionnés', 'main');
      await page.getByRole('button', { name: 'Lancer la campagne', exact: true }).click();

      await page.waitForURL(/\/pilotage\/campagnes\/[0-9a-f-]{36}$/);
      await heading(page, 'Campagne 2026');
      await see(page, 'Campagne lancée auprès de 2 établissements.');
      const table = page.getByRole('table', { name: 'Établissements de la campagne « Campagne 2026 »' });
      for (const name of ['CH Nord', 'EHPAD Nord']) {
        const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
        await row.getByText('Non commencé').waitFor();
      }
      await see(page, '0 établissements sur 2 ont soumis ; 0 validés ; 0 en retard.', 'main');
      await checkA11y(page, 'campaign follow-up');

      await page.getByRole('button', { name: 'Relancer les retardataires', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Relancer les retardataires ?' });
      await dialog.getByText('2 établissements n’ont pas encore soumis').waitFor();
      await checkA11y(page, 'remind dialog');
      await dialog.getByRole('button', { name: 'Envoyer les relances', exact: true }).click();
      await page.getByRole('status').getByText(/^Relance envoyée : \d+ courriels? pour 2 établissement\(s\) en attente\.$/).waitFor();
      await dialog.waitFor({ state: 'hidden' });

      await nav(page).getByRole('link', { name: 'Observatoire', exact: true }).click();
      await heading(page, 'Observatoire');
      await page.getByRole('img', { name: /^Graphique en barres : score médian par objectif/ }).waitFor();
      await page.locator('.region-chart svg').first().waitFor();
      await page.getByRole('table', { name: 'Score par objectif sur le territoire (sur 100)' }).waitFor();
      await see(page, /1 établissement\(s\) sur 2 ont un diagnostic soumis ou validé/, 'main');
      await page.getByRole('table', { name: /1 établissement avec un résultat/ }).getByRole('rowheader', { name: 'CH Nord' }).waitFor();
      const exportHref = await page.getByRole('link', { name: 'Exporter en CSV' }).getAttribute('href');
      assert.match(exportHref ?? '', /^\/api\/v1\/observatory\/export\.csv\?orgId=[0-9a-f-]{36}$/);
      await checkA11y(page, 'observatory');
    });
  });
});
