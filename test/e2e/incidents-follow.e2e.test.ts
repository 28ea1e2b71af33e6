/**
 * Follow-up of an incident in the browser: the hospital's RSSI writes in the « main courante »,
 * gives a task to the direction (and meets the direction's own change of it), attaches a PDF
 * (and sees a refused file explained at the field), adds a domain indicator typed in defanged
 * form with TLP:GREEN and his establishment's name allowed, and sees a bad IP address refused
 * at the field; the EHPAD's RSSI, another establishment of the region, finds the domain on the
 * shared-indicators page with the hospital's name; the region's coordinator reads the
 * follow-up without forms. axe checks every state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Client } from '../support/app';
import { declareIncident } from '../support/incidents';
import { PASSWORD } from '../support/world';
import { answerMfa, checkA11y, type E2E, enrolMfaThroughApi, heading, JOURNEY_TIMEOUT_MS, journey, login, see, signInThroughApi, startE2E } from './support';

type Who = 'rssi' | 'direction' | 'ehpadRssi' | 'coordRegion';

let e2e: E2E;
const secrets: Partial<Record<Who, string>> = {};
const clients: Partial<Record<Who, Client>> = {};
let incidentId = '';
const TITLE = 'Rançongiciel sur les serveurs du laboratoire';

/** Signs a person in through the API (enrolling two-factor authentication); keeps the session and the secret. */
async function apiAs(who: Who): Promise<Client> {
  const { client, secret } = await signInThroughApi(e2e, e2e.world.users[who].email);
  [clients[who], secrets[who]] = [client, secret];
  return client;
}

before(async () => {
  e2e = await startE2E();
  const rssi = await apiAs('rssi');
  await apiAs('direction');
  for (const who of ['ehpadRssi', 'coordRegion'] as const) secrets[who] = await enrolMfaThroughApi(e2e, e2e.world.users[who].email);
  incidentId = (await declareIncident(rssi, e2e.world.orgs.hospital)).incident.id;
});
after(async () => {
  await e2e?.close();
});

async function signInAs(page: Page, who: Who) {
  await login(page, e2e.world.users[who].email, PASSWORD);
  await answerMfa(e2e, page, secrets[who]!);
  await heading(page, 'Accueil');
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });
const section = (page: Page, title: string) => page.locator('section', { has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
const form = (page: Page, title: string) => page.locator('form', { has: page.getByRole('heading', { level: 3, name: title, exact: true }) });

describe('incident follow-up', () => {
  test('before anything is shared, the EHPAD’s RSSI learns what the shared-indicators page is for', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'shared-indicators-empty', async (page) => {
      await signInAs(page, 'ehpadRssi');
      await nav(page).getByRole('link', { name: 'Indicateurs partagés', exact: true }).click();
      await heading(page, 'Indicateurs partagés dans la région');
      await see(page, 'Aucun indicateur partagé pour l’instant', 'main');
      await see(page, /marque TLP:CLEAR ou TLP:GREEN/, 'main');
      await checkA11y(page, 'shared indicators, empty');
    });
  });

  test('the RSSI follows the incident: log, task, attachment, indicators', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'follow-up', async (page) => {
      await signInAs(page, 'rssi');
      await page.goto(`/incidents/${incidentId}`);
      await heading(page, TITLE);
      const log = section(page, 'Main courante de l’incident');
      await log.waitFor();
      await see(page, 'Aucune tâche pour l’instant', 'main');
      await see(page, 'Aucune pièce jointe', 'main');
      await see(page, 'Aucun indicateur pour l’instant', 'main');
      await checkA11y(page, 'incident follow-up, nothing yet');

      // « Main courante »: a decision, written now.
      const entry = form(page, 'Ajouter une entrée');
      await entry.getByRole('radio', { name: 'Décision', exact: true }).check();
      await entry.getByLabel('Ce qui s’est passé', { exact: true }).fill('Passage en mode dégradé au laboratoire, décidé par la cellule de crise.');
      await entry.getByRole('button', { name: 'Ajouter à la main courante', exact: true }).click();
      const item = log.getByRole('listitem').filter({ hasText: 'Passage en mode dégradé au laboratoire' });
      await item.waitFor();
      assert.match(await item.innerText(), /Décision/);
      assert.match(await item.innerText(), /par Test rssi/);
      assert.match(await item.innerText(), / à \d{1,2}\sh\s\d{2}/);
      assert.equal(await entry.getByLabel('Ce qui s’est passé', { exact: true }).inputValue(), '');
      // A text too short is refused at the field and at the top, without losing the kind chosen.
      await entry.getByRole('radio', { name: 'Communication', exact: true }).check();
      await entry.getByLabel('Ce qui s’est passé', { exact: true }).fill('x');
      await entry.getByRole('button', { name: 'Ajouter à la main courante', exact: true }).click();
      await entry.locator('#timeline-body-error').getByText('Écrivez ce qui s’est passé.').waitFor();
      await entry.getByRole('alert').getByRole('link', { name: 'Écrivez ce qui s’est passé.' }).waitFor();
      assert.equal(await entry.getByRole('radio', { name: 'Communication', exact: true }).isChecked(), true);
      await checkA11y(page, 'incident follow-up, log entry refused');
      await entry.getByLabel('Ce qui s’est passé', { exact: true }).fill('Message au personnel : ne plus allumer les postes du laboratoire.');
      await entry.getByRole('button', { name: 'Ajouter à la main courante', exact: true }).click();
      await log.getByRole('listitem').filter({ hasText: 'Message au personnel' }).waitFor();

      // A task for the direction.
      const tasks = section(page, 'Tâches');
      const newTask = form(page, 'Ajouter une tâche');
      await newTask.getByLabel('Tâche', { exact: true }).fill('Prévenir les services de soins du mode dégradé');
      await newTask.getByLabel('Responsable', { exact: true }).selectOption({ label: 'Test direction' });
      await newTask.getByLabel('Échéance', { exact: true }).fill('2030-01-15');
      await newTask.getByRole('button', { name: 'Ajouter la tâche', exact: true }).click();
      const task = tasks.getByRole('listitem').filter({ hasText: 'Prévenir les services de soins du mode dégradé' });
      await task.waitFor();
      assert.match(await task.innerText(), /Responsable : Test direction/);
      assert.match(await task.innerText(), /À faire/);
      assert.match(await task.innerText(), /Échéance : mardi 15 janvier 2030/);
      await checkA11y(page, 'incident follow-up, a task');

      // The direction starts the task meanwhile: the RSSI's change meets it, and is told so.
      await task.getByRole('button', { name: /^Modifier la tâche/ }).click();
      await task.getByLabel('Statut', { exact: true }).selectOption({ label: 'Fait' });
      const direction = clients.direction!;
      const followUp = await direction.get(`/api/v1/incidents/${incidentId}/follow-up`);
      assert.equal(followUp.statusCode, 200, followUp.body);
      const taskId = (followUp.json().tasks as { id: string; version: number }[])[0];
      const theirs = await direction.patch(`/api/v1/incidents/${incidentId}/tasks/${taskId.id}`, { status: 'in_progress', version: taskId.version });
      assert.equal(theirs.statusCode, 200, theirs.body);
      await task.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await task.getByRole('alert').getByText(/Quelqu’un d’autre a modifié cette tâche/).waitFor();
      await task.getByText('En cours', { exact: true }).waitFor();
      await checkA11y(page, 'incident follow-up, task conflict');
      await task.getByRole('button', { name: /^Modifier la tâche/ }).click();
      await task.getByLabel('Statut', { exact: true }).selectOption({ label: 'Fait' });
      await task.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await task.locator('.badge').getByText('Fait', { exact: true }).waitFor();
      assert.equal(await task.getByRole('alert').count(), 0);

      // An attachment: the accepted types and size are said before choosing.
      const files = section(page, 'Pièces jointes');
      const fileInput = files.getByLabel('Fichier à joindre', { exact: true });
      await see(page, /Formats acceptés : PDF, PNG, JPEG.*10 Mo au plus\./, 'main');
      await fileInput.setInputFiles({ name: 'programme.exe', mimeType: 'application/octet-stream', buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256, 1)]) });
      await files.getByRole('button', { name: 'Joindre le fichier', exact: true }).click();
      await files.locator('#attachment-file-error').getByText(/Ce type de fichier n’est pas accepté/).waitFor();
      await checkA11y(page, 'incident follow-up, file refused');
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
      await fileInput.setInputFiles({ name: 'rapport-analyse.pdf', mimeType: 'application/pdf', buffer: pdf });
      await files.getByRole('button', { name: 'Joindre le fichier', exact: true }).click();
      const link = files.getByRole('link', { name: 'Télécharger rapport-analyse.pdf', exact: true });
      await link.waitFor();
      assert.equal(await files.locator('#attachment-file-error').count(), 0);
      assert.match(await files.getByRole('listitem').filter({ hasText: 'rapport-analyse.pdf' }).innerText(), /1 Ko · ajoutée par Test rssi le /);
      const download = await page.request.get((await link.getAttribute('href'))!);
      assert.equal(download.status(), 200);
      assert.equal(download.headers()['content-type'], 'application/pdf');
      await checkA11y(page, 'incident follow-up, a file attached');
      // A text file attached by mistake is removed after a short confirmation.
      await fileInput.setInputFiles({ name: 'brouillon.txt', mimeType: 'text/plain', buffer: Buffer.from('Notes prises pendant la réunion de crise.\n') });
      await files.getByRole('button', { name: 'Joindre le fichier', exact: true }).click();
      await files.getByRole('link', { name: 'Télécharger brouillon.txt', exact: true }).waitFor();
      await files.getByRole('button', { name: 'Supprimer brouillon.txt', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Supprimer « brouillon.txt » ?' });
      await dialog.waitFor();
      await checkA11y(page, 'incident follow-up, removing a file');
      await dialog.getByRole('button', { name: 'Supprimer', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await files.getByRole('link', { name: 'Télécharger brouillon.txt', exact: true }).waitFor({ state: 'detached' });
      await link.waitFor();

      // An indicator typed defanged, shared with the region under the hospital's name.
      const iocs = section(page, 'Indicateurs de compromission');
      const newIoc = form(page, 'Ajouter un indicateur');
      await newIoc.getByLabel('Type d’indicateur', { exact: true }).selectOption({ label: 'Nom de domaine' });
      await see(page, /La forme désamorcée exemple-malveillant\[\.\]com est acceptée\./, 'main');
      await newIoc.getByLabel('Valeur', { exact: true }).fill('Facture-Urgente[.]example');
      await newIoc.getByRole('radio', { name: 'TLP:GREEN', exact: true }).check();
      await newIoc.getByLabel('Autoriser la région à nommer notre établissement à côté de cet indicateur', { exact: true }).check();
      await newIoc.getByLabel('Description', { exact: true }).fill('Lien du courriel de hameçonnage reçu par le secrétariat.');
      await checkA11y(page, 'incident follow-up, indicator form filled');
      await newIoc.getByRole('button', { name: 'Ajouter l’indicateur', exact: true }).click();
      const row = iocs.getByRole('row').filter({ hasText: 'facture-urgente.example' });
      await row.waitFor();
      const rowText = await row.innerText();
      assert.match(rowText, /Nom de domaine/);
      assert.match(rowText, /TLP:GREEN/);
      assert.match(rowText, /Partagé, avec le nom de l’établissement/);
      assert.doesNotMatch(rowText, /\[\.\]/);
      assert.equal(await newIoc.getByLabel('Valeur', { exact: true }).inputValue(), '');
      await checkA11y(page, 'incident follow-up, an indicator');

      // A bad IP address: the server's French message at the field and at the top, the value kept.
      await newIoc.getByLabel('Type d’indicateur', { exact: true }).selectOption({ label: 'Adresse IPv4' });
      await newIoc.getByLabel('Valeur', { exact: true }).fill('999.12.4.1');
      await newIoc.getByRole('button', { name: 'Ajouter l’indicateur', exact: true }).click();
      const fieldError = newIoc.locator('#indicator-value-error');
      await fieldError.getByText(/Saisissez une adresse IPv4/).waitFor();
      await newIoc.getByRole('alert').getByRole('link', { name: /Saisissez une adresse IPv4/ }).waitFor();
      assert.equal(await newIoc.getByLabel('Valeur', { exact: true }).inputValue(), '999.12.4.1');
      assert.equal(await newIoc.getByLabel('Valeur', { exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal(await iocs.getByRole('row').filter({ hasText: '999.12.4.1' }).count(), 0);
      await checkA11y(page, 'incident follow-up, bad IP refused');

      // The STIX 2.1 export of the indicators.
      const stix = iocs.getByRole('link', { name: 'Exporter en STIX 2.1', exact: true });
      const bundle = await page.request.get((await stix.getAttribute('href'))!);
      assert.equal(bundle.status(), 200);
      const json = (await bundle.json()) as { type: string; objects: { type: string; pattern?: string }[] };
      assert.equal(json.type, 'bundle');
      assert.ok(json.objects.some((o) => o.type === 'indicator' && o.pattern?.includes("domain-name:value = 'facture-urgente.example'")), JSON.stringify(json.objects));
    });
  });

  test('the region’s coordinator reads the follow-up without forms', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'follow-up-read-only', async (page) => {
      await signInAs(page, 'coordRegion');
      await page.goto(`/incidents/${incidentId}`);
      await heading(page, TITLE);
      await section(page, 'Main courante de l’incident').getByText('Passage en mode dégradé au laboratoire', { exact: false }).waitFor();
      await see(page, /sans pouvoir le modifier/, 'main');
      assert.equal(await page.getByRole('button', { name: 'Ajouter à la main courante' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Ajouter l’indicateur' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Supprimer/ }).count(), 0);
      await checkA11y(page, 'incident follow-up, read-only for the region');
    });
  });

  test('the EHPAD’s RSSI finds the shared domain with the hospital’s name, and filters by type', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'shared-indicators', async (page) => {
      await signInAs(page, 'ehpadRssi');
      await nav(page).getByRole('link', { name: 'Indicateurs partagés', exact: true }).click();
      await heading(page, 'Indicateurs partagés dans la région');
      const table = page.getByRole('table', { name: 'Indicateurs partagés par les établissements de la région' });
      const row = table.getByRole('row').filter({ hasText: 'facture-urgente.example' });
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, /TLP:GREEN/);
      assert.match(text, /1 établissement/);
      assert.match(text, /CH Nord/);
      assert.match(text, /Lien du courriel de hameçonnage/);
      await checkA11y(page, 'shared indicators, one domain');

      // The filter is kept in the URL.
      await page.getByLabel('Type d’indicateur', { exact: true }).selectOption({ label: 'Adresse IPv4' });
      await page.waitForURL((url) => url.searchParams.get('type') === 'ipv4');
      await see(page, 'Aucun indicateur de ce type', 'main');
      await checkA11y(page, 'shared indicators, filtered to nothing');
      await page.goto('/incidents/indicateurs-partages?type=domain');
      await heading(page, 'Indicateurs partagés dans la région');
      await table.getByRole('row').filter({ hasText: 'facture-urgente.example' }).waitFor();
      assert.equal(await page.getByLabel('Type d’indicateur', { exact: true }).inputValue(), 'domain');
    });
  });
});
