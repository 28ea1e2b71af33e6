import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { and, asc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { incidentExportSchema, type IncidentDetail } from '../../../contracts/incidents';
import type { Role } from '../../../contracts/tenancy';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { declareIncident } from '../../../../test/support/incidents';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { hashPassword } from '../../platform/auth/passwords';
import { memberships, users } from '../../platform/tenancy/schema';
import { incidents } from './schema';

/**
 * The exports of a declaration for the official channels, through HTTP: the PDF laid out
 * like the official form (read back with pdf.js) and the structured JSON (validated by its
 * contract), with who may download them.
 */

let t: TestApp;
let world: World;
let hospitalAgent: { id: string; email: string };
let declared: IncidentDetail;
let draft: IncidentDetail;
/** When the update and the obligation were recorded (signing in moves the test clock by a few seconds). */
const stamps = { declared: '', updated: '', done: '' };

const api = (path: string) => `/api/v1${path}`;
const db = () => t.platform.db;
const clients = new Map<string, Client>();
async function clientFor(email: string): Promise<Client> {
  let c = clients.get(email);
  if (!c) clients.set(email, (c = await signIn(t, email)));
  return c;
}
const as = (who: WorldUser) => clientFor(world.users[who].email);
/** Moves the test clock; sessions do not survive days, so everyone signs in again. */
function at(iso: string) {
  t.clock.set(new Date(iso));
  clients.clear();
}

async function newUser(local: string, roles: [orgId: string, role: Role][]) {
  const passwordHash = await hashPassword(PASSWORD);
  const email = `${local}@test.hygie.fr`;
  const [u] = await db().insert(users).values({ email, displayName: `Personne ${local}`, passwordHash }).returning({ id: users.id });
  for (const [orgId, role] of roles) await db().insert(memberships).values({ userId: u.id, orgId, role });
  return { id: u.id, email };
}

function ok(res: LightMyRequestResponse, context: string) {
  assert.equal(res.statusCode, 200, `${context}: ${res.body}`);
  return res;
}

/** Fifty numbered findings: long enough to run over several pages, each one checkable. */
const FINDINGS = Array.from(
  { length: 50 },
  (_, i) =>
    `Constat ${i + 1} : les fichiers du serveur de laboratoire numéro ${i + 1} portent l’extension « .lock » et une note de rançon ; l’équipe a isolé la machine, prévenu le prestataire et noté l’heure.`,
);
const DESCRIPTION = `DEBUT-DESCRIPTION ${FINDINGS.join('\n')} FIN-DESCRIPTION`;

before(async () => {
  t = await createTestApp();
  world = await seedWorld(db());
  hospitalAgent = await newUser('export.agent', [[world.orgs.hospital, 'agent']]);
  // Declared on Tuesday 3 March 2026 at 14:05, Paris time.
  at('2026-03-03T13:05:00Z');
  const rssi = await as('rssi');
  declared = await declareIncident(rssi, world.orgs.hospital, {
    description: DESCRIPTION,
    startedAt: '2026-02-28T23:30:00.000Z',
    perimeter: { wholeEstablishment: false, orgIds: [world.orgs.service, world.orgs.site], details: 'Le plateau technique du laboratoire' },
    systems: ['lab', 'servers'],
    systemsDetails: 'Automates et serveur de résultats',
    data: ['health', 'identity'],
    impacts: { confidentiality: true, integrity: true, availability: true, personalData: true, careImpact: true, degradedMode: true, careDetails: 'Examens urgents envoyés au CHU voisin' },
    causes: 'Un compte de prestataire sans double authentification.',
    handlingDetails: 'Serveurs isolés du réseau, sauvegardes vérifiées.',
    supportDetails: 'Aide à l’analyse des journaux.',
  });
  stamps.declared = t.clock.now().toISOString();
  // Completed the next day: the history gets a second version.
  at('2026-03-04T08:30:00Z');
  const updated = ok(
    await (await as('rssi')).put(api(`/incidents/${declared.incident.id}`), {
      content: { ...declared.content, handling: 'remediation', handlingDetails: 'Serveurs reconstruits depuis les sauvegardes.' },
      version: declared.incident.version,
      comment: 'Remise en état commencée',
    }),
    'update',
  ).json() as IncidentDetail;
  stamps.updated = t.clock.now().toISOString();
  const health = updated.obligations.find((o) => o.kind === 'health_authorities')!;
  ok(await (await as('rssi')).put(api(`/incidents/${declared.incident.id}/obligations/${health.id}`), { status: 'done', reference: 'ARS-2026-0042' }), 'obligation done');
  stamps.done = t.clock.now().toISOString();
  declared = updated;

  const created = await (await as('rssi')).request('POST', api('/incidents'), { orgId: world.orgs.hospital, content: { title: 'Courriel suspect au secrétariat' } }, { 'idempotency-key': randomUUID() });
  assert.equal(created.statusCode, 201, created.body);
  draft = created.json();
  // The exports are made on Friday 6 March 2026 at 10:00, Paris time: the CNIL deadline (Thursday 5) has passed.
  at('2026-03-06T09:00:00Z');
});
after(async () => {
  await t?.close();
});

interface PdfText {
  pages: number;
  text: string;
  pageTexts: string[];
  info: Record<string, unknown>;
}
/** The text of every page (whitespace, including non-breaking spaces, folded to one space) and the metadata. */
async function readPdf(data: Buffer): Promise<PdfText> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false }).promise;
  const pageTexts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pageTexts.push(
      content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' '),
    );
  }
  const { info } = await doc.getMetadata();
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, text: pageTexts.join(' '), pageTexts, info: info as Record<string, unknown> };
}
/** Text as pdf.js gives it back: words may be split or joined differently across lines, so compare without spaces. */
const squeeze = (s: string) => s.replace(/\s+/g, '');
const has = (pdf: PdfText, s: string) => squeeze(pdf.text).includes(squeeze(s));

async function exports(action: string, targetId: string) {
  return db()
    .select({ details: auditLog.details, actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, targetId)))
    .orderBy(asc(auditLog.seq));
}

// --- the PDF -------------------------------------------------------------------------------------------

test('the PDF is laid out like the official form: title block, the nine numbered sections, French labels, Paris dates, page numbers', async () => {
  const before = (await exports('incident.exported', declared.incident.id)).length;
  const res = ok(await (await as('direction')).get(api(`/incidents/${declared.incident.id}/export.pdf`)), 'pdf');
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.equal(res.headers['content-disposition'], `attachment; filename="declaration-${declared.incident.reference}-2026-03-06.pdf"`);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(declared.incident.reference, /^INC-2026-\d{3}$/);
  const data = res.rawPayload;
  assert.equal(data.subarray(0, 5).toString('latin1'), '%PDF-');
  writeFileSync('/tmp/declaration-sample.pdf', data);

  const pdf = await readPdf(data);
  assert.match(String(pdf.info.Title), new RegExp(`Déclaration d’incident de sécurité des systèmes d’information — ${declared.incident.reference}`));
  // Title block
  for (const s of ['Déclaration d’incident de sécurité des systèmes d’information', declared.incident.reference, 'Référence', 'Statut', 'Déclaré']) assert.ok(has(pdf, s), s);
  assert.ok(has(pdf, 'Découvert le lundi 2 mars 2026 à 6 h 00'), 'discovery date, Paris time');
  assert.ok(has(pdf, 'Déclaré le mardi 3 mars 2026 à 14 h 05, par Test rssi'), 'declaration date and declarant account');
  assert.ok(has(pdf, 'Document établi le vendredi 6 mars 2026 à 10 h 00'), 'generation date');
  assert.ok(!pdf.text.includes('BROUILLON'), 'a declaration is not a draft');

  // The sections, in order
  const titles = [
    '1. Structure déclarante et déclarant',
    '2. Description de l’incident',
    '3. Périmètre',
    '4. Systèmes et données concernés',
    '5. Impacts',
    '6. Causes',
    '7. Prise en charge',
    '8. Obligations réglementaires',
    '9. Historique des mises à jour',
  ];
  const flat = squeeze(pdf.text);
  let last = -1;
  for (const title of titles) {
    const at = flat.indexOf(squeeze(title));
    assert.ok(at > last, `section « ${title} » in its place`);
    last = at;
  }

  // 1. The establishment (read from the organisations) and the declarant
  for (const s of ['CH Nord', 'Numéro FINESS', '590000011', 'Centre hospitalier (CH)', 'Non concerné par NIS2', 'Test RSSI', '03 20 00 00 00', 'rssi@test.hygie.fr']) assert.ok(has(pdf, s), s);
  // 2. Description, with French labels of the type and origin
  for (const s of ['Rançongiciel sur les serveurs du laboratoire', 'Rançongiciel', 'Malveillante', 'dimanche 1er mars 2026 à 0 h 30']) assert.ok(has(pdf, s), s);
  // 3. Perimeter: the names of the site and service, never their ids
  assert.ok(has(pdf, 'Urgences (service) ; Site A (site)'), 'perimeter names in the order given');
  assert.ok(!pdf.text.includes(world.orgs.site), 'no identifier in the form');
  assert.ok(has(pdf, 'Le plateau technique du laboratoire'));
  // 4. Every system and data kind is listed with its box; the checked ones are spelled out
  for (const s of ['Dossier patient informatisé', 'Imagerie (PACS)', 'Équipements biomédicaux', 'Données de santé', 'Identifiants et mots de passe']) assert.ok(has(pdf, s), s);
  assert.ok(has(pdf, 'Cochés : Laboratoire ; Serveurs.'), 'systems checked');
  assert.ok(has(pdf, 'Cochés : Données de santé ; Identité des patients.'), 'data checked');
  // 5. Impacts
  for (const s of ['Atteinte à la confidentialité', 'Atteinte à l’intégrité', 'Atteinte à la disponibilité', 'Violation de données personnelles', 'Conséquences sur la prise en charge des patients', 'Passage en mode dégradé', 'Patients mis en danger', 'Examens urgents envoyés au CHU voisin']) {
    assert.ok(has(pdf, s), s);
  }
  assert.ok(has(pdf, 'Patients mis en danger Oui Non non renseigné'), 'a question not answered yet says so');
  // 6, 7
  assert.ok(has(pdf, 'Un compte de prestataire sans double authentification.'));
  assert.ok(has(pdf, 'En cours de remise en état') && has(pdf, 'Serveurs reconstruits depuis les sauvegardes.') && has(pdf, 'Aide à l’analyse des journaux.'));
  // 8. Obligations: labels, deadlines, statuses in words (the CNIL one is late), done date and reference
  for (const s of [
    'Déclaration aux autorités sanitaires (ARS et CERT Santé)',
    'mardi 3 mars 2026 à 6 h 00',
    'Notification à la CNIL',
    'jeudi 5 mars 2026 à 6 h 00',
    'En retard',
    'Fait',
    'ARS-2026-0042',
    'mercredi 4 mars 2026 à 9 h 30',
  ]) {
    assert.ok(has(pdf, s), s);
  }
  assert.ok(!pdf.text.includes('NIS2 : alerte précoce'), 'no NIS2 clock for an establishment outside NIS2');
  // 9. History: versions, dates, authors, the changed fields in French
  assert.ok(has(pdf, 'Déclaration initiale'));
  assert.ok(has(pdf, 'État de la prise en charge, Mesures prises'), 'changed fields in French');
  assert.ok(has(pdf, 'Commentaire : Remise en état commencée'));
  assert.ok(!pdf.text.includes('handlingDetails'), 'no field path in the form');

  // The long description runs over pages, whole and in order
  assert.ok(pdf.pages >= 3, `several pages: ${pdf.pages}`);
  const startPage = pdf.pageTexts.findIndex((p) => p.includes('DEBUT-DESCRIPTION'));
  const endPage = pdf.pageTexts.findIndex((p) => p.includes('FIN-DESCRIPTION'));
  assert.ok(startPage >= 0 && endPage > startPage, `the description spans pages ${startPage + 1} to ${endPage + 1}`);
  let cursor = -1;
  for (let i = 1; i <= FINDINGS.length; i++) {
    const at = flat.indexOf(squeeze(`Constat ${i} : les fichiers du serveur de laboratoire numéro ${i} `));
    assert.ok(at > cursor, `finding ${i} present, after finding ${i - 1}`);
    cursor = at;
  }
  // Every page has its number and the running header
  pdf.pageTexts.forEach((p, i) => {
    assert.ok(p.includes(`Page ${i + 1} sur ${pdf.pages}`), `page number on page ${i + 1}`);
    if (i > 0) assert.ok(squeeze(p).includes(squeeze(`Déclaration d’incident ${declared.incident.reference} — CH Nord`)), `running header on page ${i + 1}`);
  });

  const audit = await exports('incident.exported', declared.incident.id);
  assert.equal(audit.length, before + 1);
  assert.equal(audit.at(-1)!.actorId, world.users.direction.id);
  assert.deepEqual(audit.at(-1)!.details, { format: 'pdf', pages: pdf.pages, reference: declared.incident.reference, status: 'declared' });
});

test('a draft is exported for review by those who may declare, marked « BROUILLON » on every page', async () => {
  const res = ok(await (await as('rssi')).get(api(`/incidents/${draft.incident.id}/export.pdf`)), 'draft pdf');
  const pdf = await readPdf(res.rawPayload);
  for (const [i, p] of pdf.pageTexts.entries()) assert.ok(p.includes('BROUILLON'), `draft mark on page ${i + 1}`);
  assert.ok(has(pdf, 'Courriel suspect au secrétariat'));
  assert.ok(has(pdf, 'Pas encore déclaré'));
  assert.ok(has(pdf, 'Les obligations (autorités sanitaires, CNIL, NIS2) et leurs échéances sont calculées au moment de la déclaration.'));
  assert.ok(has(pdf, 'Type d’incident Non renseigné'), 'empty fields say so');
  assert.match(String(pdf.info.Title), /\(brouillon\)$/);
});

test('text outside the embedded font (emoji, other scripts) never breaks the PDF', async () => {
  const rssi = await as('rssi');
  const odd = await declareIncident(rssi, world.orgs.hospital, { title: 'Alerte 🔥 Łódź 攻撃 — test', description: 'Ligne\u0007 avec un caractère de contrôle\u200b et une espace\u202ffine.' });
  const pdf = await readPdf(ok(await rssi.get(api(`/incidents/${odd.incident.id}/export.pdf`)), 'odd pdf').rawPayload);
  assert.ok(has(pdf, 'Alerte ? Lódz ?? — test'), pdf.text.slice(400, 1400));
  assert.ok(has(pdf, 'Ligne avec un caractère de contrôle et une espace fine.'));
});

test('a closed incident of an essential entity: the NIS2 status and clocks, the closure and its lessons', async () => {
  const rssi = await as('rssi');
  assert.equal((await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'essential' })).statusCode, 200);
  const d = await declareIncident(rssi, world.orgs.hospital, { type: 'denial_of_service', title: 'Site internet saturé' });
  assert.equal((await rssi.post(api(`/incidents/${d.incident.id}/close`), { lessons: 'Souscrire une protection contre le déni de service.' })).statusCode, 200);
  const pdf = await readPdf(ok(await rssi.get(api(`/incidents/${d.incident.id}/export.pdf`)), 'closed pdf').rawPayload);
  for (const s of ['Entité essentielle (NIS2)', 'NIS2 : alerte précoce', 'NIS2 : notification', 'NIS2 : rapport final', 'dimanche 5 avril 2026 à 7 h 00', 'Clôture', 'Clos le', 'Souscrire une protection contre le déni de service.', 'Déni de service']) {
    assert.ok(has(pdf, s), s);
  }
  const json = incidentExportSchema.parse(ok(await rssi.get(api(`/incidents/${d.incident.id}/export.json`)), 'closed json').json());
  assert.deepEqual(json.establishment.nis2, { code: 'essential', label: 'Entité essentielle (NIS2)' });
  assert.deepEqual(json.incident.status, { code: 'closed', label: 'Clos' });
  assert.equal(json.incident.lessons, 'Souscrire une protection contre le déni de service.');
  assert.deepEqual(
    json.obligations.map((o) => o.kind.label),
    ['Déclaration aux autorités sanitaires (ARS et CERT Santé)', 'NIS2 : alerte précoce', 'NIS2 : notification', 'NIS2 : rapport final'],
  );
  assert.equal((await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'none' })).statusCode, 200);
});

// --- the JSON ------------------------------------------------------------------------------------------

test('the JSON export follows its contract, with codes beside French labels, names of the perimeter, obligations and history', async () => {
  const res = ok(await (await as('rssi')).get(api(`/incidents/${declared.incident.id}/export.json`)), 'json');
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.headers['content-disposition'], `attachment; filename="declaration-${declared.incident.reference}-2026-03-06.json"`);
  const body = incidentExportSchema.parse(res.json());
  assert.equal(body.format, 'hygie-incident-declaration');
  assert.equal(body.version, 1);
  assert.equal(body.exportedAt, t.clock.now().toISOString());
  assert.equal(body.draft, false);
  assert.deepEqual(body.establishment, {
    id: world.orgs.hospital,
    name: 'CH Nord',
    finess: '590000011',
    category: { code: 'CH', label: 'Centre hospitalier (CH)' },
    nis2: { code: 'none', label: 'Non concerné par NIS2' },
  });
  assert.equal(body.incident.reference, declared.incident.reference);
  assert.deepEqual(body.incident.status, { code: 'declared', label: 'Déclaré' });
  assert.equal(body.incident.declaredAt, stamps.declared);
  assert.equal(body.incident.declaredByName, 'Test rssi');
  const d = body.declaration;
  assert.deepEqual(d.type, { code: 'ransomware', label: 'Rançongiciel' });
  assert.deepEqual(d.origin, { code: 'malicious', label: 'Malveillante' });
  assert.deepEqual(d.handling, { code: 'remediation', label: 'En cours de remise en état' });
  assert.deepEqual(d.perimeter, {
    wholeEstablishment: false,
    units: [
      { id: world.orgs.service, kind: 'service', name: 'Urgences' },
      { id: world.orgs.site, kind: 'site', name: 'Site A' },
    ],
    details: 'Le plateau technique du laboratoire',
  });
  assert.deepEqual(d.systems, [
    { code: 'lab', label: 'Laboratoire' },
    { code: 'servers', label: 'Serveurs' },
  ]);
  assert.deepEqual(d.data, [
    { code: 'health', label: 'Données de santé' },
    { code: 'identity', label: 'Identité des patients' },
  ]);
  assert.equal(d.impacts.personalData, true);
  assert.equal(d.impacts.patientsEndangered, null, 'not stated is null, not false');
  assert.equal(d.description, DESCRIPTION);
  assert.equal(d.declarant.email, 'rssi@test.hygie.fr');
  assert.deepEqual(
    body.obligations.map((o) => [o.kind.code, o.kind.label, o.dueAt, o.status.code, o.status.label, o.reference]),
    [
      ['health_authorities', 'Déclaration aux autorités sanitaires (ARS et CERT Santé)', '2026-03-03T05:00:00.000Z', 'done', 'Fait', 'ARS-2026-0042'],
      ['cnil', 'Notification à la CNIL', '2026-03-05T05:00:00.000Z', 'pending', 'À faire', null],
    ],
  );
  assert.equal(body.obligations[0].doneAt, stamps.done);
  assert.equal(body.obligations[0].doneByName, 'Test rssi');
  assert.deepEqual(
    body.revisions.map((r) => [r.version, r.at, r.authorName, r.comment, r.changedFields]),
    [
      [2, stamps.declared, 'Test rssi', 'Déclaration initiale', []],
      [
        3,
        stamps.updated,
        'Test rssi',
        'Remise en état commencée',
        [
          { path: 'handling', label: 'État de la prise en charge' },
          { path: 'handlingDetails', label: 'Mesures prises' },
        ],
      ],
    ],
  );
  const audit = await exports('incident.exported', declared.incident.id);
  assert.deepEqual(audit.at(-1)!.details, { format: 'json', reference: declared.incident.reference, status: 'declared' });
  // Nothing internal leaves: not the creator's Idempotency-Key nor the request digest.
  const [internal] = await db().select({ key: incidents.idempotencyKey, digest: incidents.requestDigest }).from(incidents).where(eq(incidents.id, declared.incident.id));
  assert.ok(internal.key && !res.body.includes(internal.key), 'no Idempotency-Key');
  assert.ok(internal.digest && !res.body.includes(internal.digest), 'no request digest');
});

test('the JSON export of a draft says it is one, with nothing invented', async () => {
  const body = incidentExportSchema.parse(ok(await (await as('coordGht')).get(api(`/incidents/${draft.incident.id}/export.json`)), 'draft json').json());
  assert.equal(body.draft, true);
  assert.deepEqual(body.incident.status, { code: 'draft', label: 'Brouillon' });
  assert.equal(body.incident.declaredAt, null);
  assert.equal(body.declaration.title, 'Courriel suspect au secrétariat');
  assert.equal(body.declaration.type, null);
  assert.deepEqual(body.declaration.systems, []);
  assert.deepEqual(body.obligations, []);
  assert.deepEqual(body.revisions, []);
});

// --- who may download ----------------------------------------------------------------------------------

test('exports: the establishment and those above it read them; the region reads declarations but not drafts; others get 404 or 403', async () => {
  for (const format of ['pdf', 'json'] as const) {
    const url = (id: string) => api(`/incidents/${id}/export.${format}`);
    for (const who of ['rssi', 'direction', 'coordGht', 'coordRegion'] as const) ok(await (await as(who)).get(url(declared.incident.id)), `${who} ${format}`);
    for (const who of ['rssi', 'direction', 'coordGht'] as const) ok(await (await as(who)).get(url(draft.incident.id)), `${who} draft ${format}`);

    const expect = async (c: Client, id: string, status: number, code: string, context: string) => {
      const res = await c.get(url(id));
      assert.equal(res.statusCode, status, `${context} ${format}: ${res.body}`);
      assert.equal(res.json().error.code, code, context);
      assert.ok(!res.headers['content-disposition'], `${context}: no file`);
    };
    await expect(await as('coordRegion'), draft.incident.id, 404, 'not_found', 'the region does not see drafts');
    for (const who of ['foreignRssi', 'foreignCoord', 'ehpadRssi'] as const) await expect(await as(who), declared.incident.id, 404, 'not_found', who);
    // Agents and referents of a service: the establishment is above them, they do not see it.
    for (const who of ['agent', 'referent'] as const) await expect(await as(who), declared.incident.id, 404, 'not_found', who);
    // An agent of the establishment itself: known, but not his to read.
    await expect(await clientFor(hospitalAgent.email), declared.incident.id, 403, 'forbidden', 'agent of the hospital');
    await expect(await as('rssi'), randomUUID(), 404, 'not_found', 'unknown incident');

    const bad = await (await as('rssi')).get(api(`/incidents/pas-un-uuid/export.${format}`));
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().error.code, 'validation');
    assert.ok(JSON.stringify(bad.json()).includes('Identifiant invalide.'), bad.body);

    const anonymous = await t.app.inject({ method: 'GET', url: url(declared.incident.id) });
    assert.equal(anonymous.statusCode, 401);
  }
  // Nothing handed out to those refused: the audit log has only the successful downloads.
  const refusedActors = new Set([world.users.foreignRssi.id, world.users.foreignCoord.id, world.users.agent.id, hospitalAgent.id]);
  for (const row of await exports('incident.exported', declared.incident.id)) assert.ok(!refusedActors.has(row.actorId!), 'no export recorded for a refused person');
});
