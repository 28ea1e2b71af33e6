import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { and, asc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { actions, activeNode, assessments, frameworkNodes, frameworks } from './schema';

/**
 * The report for the direction (PDF) and the exports of answers (CSV, XLSX), through HTTP,
 * on an assessment of Hygie's référentiel (synchronised into the test database).
 */

let t: TestApp;
let world: World;
let ref: { id: string; name: string };
let objectives: { id: string; refId: string | null; name: string | null }[];
let measures: { id: string; refId: string | null; name: string | null; parentUrn: string | null; priority: string | null }[];
let assessmentId: string;
const ACTION_LATE = 'Nommer par écrit le responsable de la sécurité — action du test';
const ACTION_MEASURE_ONLY = 'Tester la restauration des sauvegardes — action du test';
const ACTION_DONE = 'Action terminée du test';
const ACTION_UNLINKED = 'Action sans lien avec le diagnostic';
const ACTION_EHPAD = 'Action de l’EHPAD, jamais dans ce rapport';
const FORMULA_COMMENT = '=HYPERLINK("https://exemple.invalid","cliquez")';
const ACCENT_COMMENT = 'Sauvegardes testées en décembre ; restauration complète à planifier « bientôt ».';

const api = (path: string) => `/api/v1${path}`;
const db = () => t.platform.db;
const clients = new Map<WorldUser, Client>();
async function as(who: WorldUser): Promise<Client> {
  let c = clients.get(who);
  if (!c) clients.set(who, (c = await signIn(t, world.users[who].email)));
  return c;
}
const parisDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const dayOffset = (days: number) => parisDay(new Date(t.clock.now().getTime() + days * 86_400_000));

function ok(res: LightMyRequestResponse, context: string) {
  assert.equal(res.statusCode, 200, `${context}: ${res.body}`);
  return res;
}

/** A deterministic mix of answers: every status, maturity levels, a few measures left unanswered. */
function answerFor(i: number): Record<string, unknown> | null {
  if (i >= measures.length - 4) return null;
  const pattern = [
    { status: 'oui', maturity: 3 },
    { status: 'partiel', maturity: 1 },
    { status: 'non', maturity: 0 },
    { status: 'oui', maturity: 2 },
    { status: 'partiel', maturity: null },
    { status: 'na', maturity: null },
    { status: 'oui', maturity: null },
  ][i % 7];
  return { version: 0, ...pattern };
}

before(async () => {
  t = await createTestApp();
  world = await seedWorld(db());
  const [fw] = await db().select({ id: frameworks.id, name: frameworks.name }).from(frameworks).where(eq(frameworks.kind, 'referentiel'));
  assert.ok(fw, 'Hygie’s référentiel is in the test database');
  ref = fw;
  const nodes = await db()
    .select()
    .from(frameworkNodes)
    .where(and(eq(frameworkNodes.frameworkId, ref.id), activeNode()))
    .orderBy(asc(frameworkNodes.position));
  objectives = nodes.filter((n) => !n.assessable && n.parentUrn === null);
  measures = nodes.filter((n) => n.assessable);
  assert.equal(measures.length, 43);
  assert.equal(objectives.length, 6);

  const rssi = await as('rssi');
  const created = ok(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: ref.id, title: 'Diagnostic annuel de sécurité 2026' }), 'create');
  assessmentId = created.json().assessment.id;
  for (const [i, m] of measures.entries()) {
    const body = answerFor(i);
    if (!body) continue;
    if (i === 0) body.comment = ACCENT_COMMENT;
    if (i === 1) body.comment = FORMULA_COMMENT;
    ok(await rssi.put(api(`/assessments/${assessmentId}/answers/${m.id}`), body), `answer ${m.refId}`);
  }
  ok(await rssi.post(api(`/assessments/${assessmentId}/evidence/link`), { nodeId: measures[0].id, url: 'https://intranet.example.fr/nomination-rssi' }), 'evidence');

  // The plan: a late action on the assessment, one on a measure only, one done; noise that must not show.
  const gapMeasure = measures[2]; // « non »
  ok(
    await rssi.post(api('/plan/actions'), {
      orgId: world.orgs.hospital,
      assessmentId,
      title: ACTION_LATE,
      ownerId: world.users.rssi.id,
      dueDate: dayOffset(-10),
      priority: 'high',
      nodeIds: [gapMeasure.id],
    }),
    'late action',
  );
  const second = ok(await rssi.post(api('/plan/actions'), { orgId: world.orgs.hospital, title: ACTION_MEASURE_ONLY, dueDate: dayOffset(30), nodeIds: [measures[1].id] }), 'measure action');
  ok(await rssi.patch(api(`/plan/actions/${second.json().action.id}`), { status: 'in_progress' }), 'in progress');
  const done = ok(await rssi.post(api('/plan/actions'), { orgId: world.orgs.hospital, assessmentId, title: ACTION_DONE, nodeIds: [gapMeasure.id] }), 'done action');
  ok(await rssi.patch(api(`/plan/actions/${done.json().action.id}`), { status: 'done' }), 'done');
  ok(await rssi.post(api('/plan/actions'), { orgId: world.orgs.hospital, title: ACTION_UNLINKED }), 'unlinked action');
  await db().insert(actions).values({ orgId: world.orgs.ehpad, title: ACTION_EHPAD });
});
after(async () => {
  await t?.close();
});

// --- helpers ---------------------------------------------------------------------------------

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

async function auditCount(action: string, targetId: string) {
  const rows = await db()
    .select({ seq: auditLog.seq, details: auditLog.details, actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, targetId)))
    .orderBy(asc(auditLog.seq));
  return rows;
}

const CSV_HEADERS = [
  'Objectif',
  'Sous-objectif',
  'Référence',
  'Mesure',
  'Priorité',
  'Statut',
  'Niveau de maturité',
  'Score (sur 100)',
  'Commentaire',
  'Nombre de preuves',
  'Dernier contributeur',
  'Dernière mise à jour (heure de Paris)',
];

// --- the PDF -------------------------------------------------------------------------------------

test('the PDF report holds the establishment, the scores, every objective, the gaps, the plan and page numbers', async () => {
  const direction = await as('direction');
  const res = ok(await direction.get(api(`/assessments/${assessmentId}/report.pdf`)), 'report');
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.equal(res.headers['content-disposition'], `attachment; filename="restitution-ch-nord-${parisDay(t.clock.now())}.pdf"`);
  assert.equal(res.headers['cache-control'], 'no-store');
  const data = res.rawPayload;
  assert.equal(data.subarray(0, 5).toString('latin1'), '%PDF-');
  writeFileSync('/tmp/restitution-sample.pdf', data);

  const pdf = await readPdf(data);
  const text = pdf.text;
  assert.ok(pdf.pages >= 4, `several pages: ${pdf.pages}`);
  assert.ok(text.includes('CH Nord'), 'the establishment');
  assert.ok(text.includes('Diagnostic annuel de sécurité 2026'), 'the assessment title');
  assert.ok(text.includes(ref.name), 'the framework');
  assert.ok(text.includes('Score global'), 'the overall score');
  for (const o of objectives) assert.ok(text.includes(o.name!), `objective « ${o.name} »`);
  assert.ok(text.includes('Sécurisation'), 'accented words intact');
  assert.ok(text.includes('Écarts prioritaires') && text.includes('Plan d’action'), 'section titles with accents and apostrophes');

  // The first gap (an essential measure answered « non ») and its suggested action.
  const detail = (await direction.get(api(`/assessments/${assessmentId}`))).json();
  const firstGap = measures.find((m) => m.id === detail.gaps[0].nodeId)!;
  assert.equal(detail.gaps[0].priority, 'essential');
  assert.ok(text.includes(firstGap.name!), `the first gap « ${firstGap.name} »`);
  const [gapNode] = await db().select({ suggested: frameworkNodes.suggestedActions }).from(frameworkNodes).where(eq(frameworkNodes.id, firstGap.id));
  assert.ok(text.includes(gapNode.suggested![0]), 'its first suggested action');

  // The plan: open actions linked to the assessment or its measures, the late one flagged.
  assert.ok(text.includes(ACTION_LATE), 'the late action');
  assert.ok(text.includes(ACTION_MEASURE_ONLY), 'the action on a measure of the framework');
  assert.ok(text.includes('En retard'), 'the late flag in words');
  assert.ok(text.includes('Test rssi'), 'the owner');
  assert.ok(!text.includes(ACTION_DONE), 'a done action is not in the open plan');
  assert.ok(!text.includes(ACTION_UNLINKED), 'an action unrelated to the assessment is not shown');
  assert.ok(!text.includes(ACTION_EHPAD), 'another establishment’s action never shows');

  // Summary, formula, footer.
  const score = Math.round(detail.assessment.score);
  assert.ok(text.includes(`score global de ${score} sur 100`), `the summary gives the score (${score})`);
  assert.ok(text.includes('une mesure essentielle compte deux fois'), 'the scoring formula');
  assert.ok(pdf.pageTexts[0].includes(`Page 1 sur ${pdf.pages}`), 'Page 1 sur N');
  assert.ok(pdf.pageTexts[pdf.pages - 1].includes(`Page ${pdf.pages} sur ${pdf.pages}`), 'the last page is numbered');
  for (const p of pdf.pageTexts) assert.match(p, /établie le (lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2}(er)? \S+ \d{4} à \d{1,2} h \d{2}/, 'the generation date in the footer');

  // Metadata.
  assert.equal(pdf.info.Author, 'Hygie');
  assert.equal(pdf.info.Language, 'fr-FR');
  assert.match(String(pdf.info.Title), /Restitution du diagnostic — CH Nord/);

  // Audited.
  const entries = await auditCount('assessment.report.generated', assessmentId);
  assert.equal(entries.length, 1);
  assert.equal(entries[0].actorId, world.users.direction.id);
  assert.deepEqual(entries[0].details, { format: 'pdf', pages: pdf.pages });
});

test('a report of an assessment with no answer yet says so, and still renders', async () => {
  const rssi = await as('rssi');
  const created = ok(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: ref.id, title: 'Diagnostic vide' }), 'create');
  const res = ok(await rssi.get(api(`/assessments/${created.json().assessment.id}/report.pdf`)), 'empty report');
  const pdf = await readPdf(res.rawPayload);
  assert.ok(pdf.text.includes('le score ne peut pas encore être calculé'), 'no score yet');
  assert.ok(pdf.text.includes('non évalué'), 'objectives not evaluated');
  assert.ok(pdf.text.includes('Page 1 sur'));
});

test('a framework of one objective gets bars instead of a radar; names outside the font are drawn with their closest letters', async () => {
  const base = `urn:test:report-${randomBytes(4).toString('hex')}`;
  const [fw] = await db()
    .insert(frameworks)
    .values({ libraryUrn: `${base}:library`, urn: `${base}:fw`, refId: 'PETIT', name: 'Petit référentiel importé', version: 1, origin: 'import', minScore: 1, maxScore: 5 })
    .returning({ id: frameworks.id });
  await db().insert(frameworkNodes).values({ frameworkId: fw.id, urn: `${base}:o`, refId: 'A', name: 'Unique objectif', depth: 1, assessable: false, position: 0 });
  const [m] = await db()
    .insert(frameworkNodes)
    .values({ frameworkId: fw.id, urn: `${base}:m`, parentUrn: `${base}:o`, refId: 'A.1', name: 'Mesure de Łódź ✓', depth: 2, assessable: true, position: 1, priority: 'essential' })
    .returning({ id: frameworkNodes.id });
  const rssi = await as('rssi');
  const id = ok(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: fw.id }), 'create').json().assessment.id;
  ok(await rssi.put(api(`/assessments/${id}/answers/${m.id}`), { version: 0, status: 'partiel', maturity: 3 }), 'answer');
  const pdf = await readPdf(ok(await rssi.get(api(`/assessments/${id}/report.pdf`)), 'report').rawPayload);
  assert.ok(pdf.text.includes('Unique objectif'));
  assert.ok(pdf.text.includes('Mesure de Lódz ?'), `letters the font lacks are replaced: ${pdf.text}`);
  assert.ok(pdf.text.includes('maturité 3 (de 1 à 5)'), 'the maturity on the framework’s scale');
  assert.ok(pdf.text.includes('sur l’échelle de 1 à 5 : 0, 25, 50, 75, 100'), 'the formula follows the framework’s scale');
});

// --- CSV and XLSX -----------------------------------------------------------------------------------

test('the CSV export: BOM, semicolons, French headers, one line per measure in the framework’s order', async () => {
  const coordRegion = await as('coordRegion');
  const res = ok(await coordRegion.get(api(`/assessments/${assessmentId}/export.csv`)), 'csv');
  assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  assert.equal(res.headers['content-disposition'], `attachment; filename="diagnostic-ch-nord-${parisDay(t.clock.now())}.csv"`);
  assert.equal(res.body.charCodeAt(0), 0xfeff, 'a BOM, for spreadsheets');
  const rows: Record<string, string>[] = parse(res.body, { bom: true, delimiter: ';', columns: true });
  const headers = Object.keys(rows[0]);
  assert.deepEqual(headers, CSV_HEADERS);
  assert.equal(rows.length, 43);
  assert.deepEqual(
    rows.map((r) => r['Référence']),
    measures.map((m) => m.refId),
  );

  const first = rows[0];
  assert.equal(first['Objectif'], `${objectives[0].refId} · ${objectives[0].name}`);
  assert.match(first['Sous-objectif'], /^O1\.1 · /);
  assert.equal(first['Mesure'], measures[0].name);
  assert.equal(first['Priorité'], measures[0].priority === 'essential' ? 'Essentielle' : 'Recommandée');
  assert.equal(first['Statut'], 'Oui');
  assert.equal(first['Niveau de maturité'], '3');
  assert.equal(first['Score (sur 100)'], '100');
  assert.equal(first['Commentaire'], ACCENT_COMMENT);
  assert.equal(first['Nombre de preuves'], '1');
  assert.equal(first['Dernier contributeur'], 'Test rssi');
  assert.match(first['Dernière mise à jour (heure de Paris)'], /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);

  assert.equal(rows[1]['Statut'], 'Partiel');
  assert.equal(rows[1]['Score (sur 100)'], '33,33', 'decimal comma');
  assert.equal(rows[1]['Commentaire'], `'${FORMULA_COMMENT}`, 'a formula is neutralised');
  assert.equal(rows[5]['Statut'], 'Non applicable');
  assert.equal(rows[5]['Score (sur 100)'], '');
  assert.equal(rows[42]['Statut'], 'Sans réponse');
  assert.equal(rows[42]['Dernier contributeur'], '');
  assert.equal(rows[42]['Nombre de preuves'], '0');

  const entries = await auditCount('assessment.answers.exported', assessmentId);
  const mine = entries.filter((e) => e.actorId === world.users.coordRegion.id);
  assert.equal(mine.length, 1, 'audited');
  assert.deepEqual(mine[0].details, { format: 'csv', rows: 43 });
});

test('the XLSX export re-opens with the same rows, a bold frozen header, and the Scores sheet', async () => {
  const rssi = await as('rssi');
  const res = ok(await rssi.get(api(`/assessments/${assessmentId}/export.xlsx`)), 'xlsx');
  assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(res.headers['content-disposition'], `attachment; filename="diagnostic-ch-nord-${parisDay(t.clock.now())}.xlsx"`);
  const csv: Record<string, string>[] = parse(ok(await rssi.get(api(`/assessments/${assessmentId}/export.csv`)), 'csv').body, { bom: true, delimiter: ';', columns: true });

  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet('Réponses')!;
  assert.ok(sheet, 'the answers sheet');
  assert.equal(sheet.rowCount, 44, 'a header and 43 measures');
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  assert.deepEqual(header, CSV_HEADERS);
  assert.equal(sheet.getRow(1).font?.bold, true);
  assert.equal(sheet.views[0]?.state, 'frozen');
  assert.equal((sheet.views[0] as { ySplit?: number }).ySplit, 1);
  assert.ok((sheet.getColumn(4).width ?? 0) >= 40, 'the measure column is wide');
  for (let i = 0; i < 43; i++) {
    const row = sheet.getRow(i + 2);
    const cell = (c: number) => row.getCell(c).value;
    assert.equal(cell(3), csv[i]['Référence']);
    assert.equal(cell(4), csv[i]['Mesure']);
    assert.equal(cell(6), csv[i]['Statut']);
    assert.equal(cell(7) === null ? '' : String(cell(7)), csv[i]['Niveau de maturité']);
    assert.equal(cell(8) === null ? '' : String(cell(8)).replace('.', ','), csv[i]['Score (sur 100)']);
    assert.equal(String(cell(10)), csv[i]['Nombre de preuves']);
  }
  assert.equal(sheet.getRow(3).getCell(9).value, FORMULA_COMMENT, 'text stays text in a workbook');
  assert.ok(sheet.getRow(2).getCell(12).value instanceof Date, 'the update time is a date');

  const scores = wb.getWorksheet('Scores')!;
  assert.ok(scores, 'the Scores sheet');
  const detail = (await rssi.get(api(`/assessments/${assessmentId}`))).json();
  const overall = scores.getRow(2);
  assert.equal(overall.getCell(1).value, 'Ensemble');
  assert.equal(overall.getCell(4).value, detail.assessment.score);
  const byRef = new Map<string, { level: unknown; score: unknown; answered: unknown; total: unknown }>();
  scores.eachRow((row, n) => {
    if (n > 2) byRef.set(String(row.getCell(2).value), { level: row.getCell(1).value, score: row.getCell(4).value, answered: row.getCell(5).value, total: row.getCell(6).value });
  });
  assert.equal(byRef.size, 6 + 14, '6 objectives and 14 sub-objectives');
  for (const o of objectives) {
    const row = byRef.get(o.refId!)!;
    const s = detail.scores.find((x: { nodeId: string }) => x.nodeId === o.id);
    assert.equal(row.level, 'Objectif');
    assert.equal(row.score, s.score);
    assert.equal(row.answered, s.answered);
    assert.equal(row.total, s.total);
  }
  assert.ok(wb.getWorksheet('Diagnostic'), 'what the file is about');

  const entries = await auditCount('assessment.answers.exported', assessmentId);
  assert.ok(entries.some((e) => e.actorId === world.users.rssi.id && (e.details as { format: string }).format === 'xlsx'), 'audited');
});

// --- access -----------------------------------------------------------------------------------------

const ENDPOINTS = ['report.pdf', 'export.csv', 'export.xlsx'];

test('who may download: the establishment’s readers and its region’s coordinator; nobody else, and nothing is audited for them', async () => {
  const allowed: WorldUser[] = ['rssi', 'direction', 'coordGht', 'coordRegion'];
  const refused: WorldUser[] = ['agent', 'referent', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'admin'];
  for (const endpoint of ENDPOINTS) {
    for (const who of allowed) ok(await (await as(who)).get(api(`/assessments/${assessmentId}/${endpoint}`)), `${endpoint} × ${who}`);
    for (const who of refused) {
      const before = (await auditCount(endpoint === 'report.pdf' ? 'assessment.report.generated' : 'assessment.answers.exported', assessmentId)).length;
      const res = await (await as(who)).get(api(`/assessments/${assessmentId}/${endpoint}`));
      // A platform administrator sees every organisation but holds no role in it: 403 (audited as a denial); the others do not even learn it exists.
      const expected = who === 'admin' ? 403 : 404;
      assert.equal(res.statusCode, expected, `${endpoint} × ${who}: ${res.body}`);
      assert.equal(res.json().error.code, expected === 403 ? 'forbidden' : 'not_found');
      assert.ok(!res.body.includes('CH Nord'), 'nothing of the establishment');
      assert.equal((await auditCount(endpoint === 'report.pdf' ? 'assessment.report.generated' : 'assessment.answers.exported', assessmentId)).length, before, 'no export recorded');
    }
  }
});

test('an unknown assessment is a 404, a malformed id a 400 in French', async () => {
  const rssi = await as('rssi');
  for (const endpoint of ENDPOINTS) {
    const missing = await rssi.get(api(`/assessments/${randomUUID()}/${endpoint}`));
    assert.equal(missing.statusCode, 404, `${endpoint}: ${missing.body}`);
    assert.equal(missing.json().error.code, 'not_found');
    const bad = await rssi.get(api(`/assessments/pas-un-identifiant/${endpoint}`));
    assert.equal(bad.statusCode, 400, `${endpoint}: ${bad.body}`);
    assert.equal(bad.json().error.code, 'validation');
    assert.equal(bad.json().error.fields[0].path, 'id');
    assert.equal(bad.json().error.fields[0].message, 'Identifiant invalide.');
  }
  const anonymous = await t.app.inject({ method: 'GET', url: api(`/assessments/${assessmentId}/report.pdf`) });
  assert.equal(anonymous.statusCode, 401);
});

test('downloads change nothing: the assessment and its answers are as before', async () => {
  const before = await db().select().from(assessments).where(eq(assessments.id, assessmentId));
  for (const endpoint of ENDPOINTS) ok(await (await as('rssi')).get(api(`/assessments/${assessmentId}/${endpoint}`)), endpoint);
  const after = await db().select().from(assessments).where(eq(assessments.id, assessmentId));
  assert.deepEqual(after, before);
});
