import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { and, asc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { hashPassword } from '../../platform/auth/passwords';
import { users } from '../../platform/tenancy/schema';
import { CONTENT_FRAMEWORKS_DIR, ContentError, syncContent } from './frameworks';
import { parseLibrary, type ParsedLibrary } from './library';
import { answers, assessments, frameworkNodes, frameworks } from './schema';

let t: TestApp;
let world: World;

before(async () => {
  t = await createTestApp();
  world = await seedWorld(t.platform.db);
});
after(async () => {
  await t?.close();
});

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures');
const V1 = readFileSync(path.join(FIXTURES, 'ciso-library-sample.yaml'), 'utf8');
const V2 = readFileSync(path.join(FIXTURES, 'ciso-library-sample-v2.yaml'), 'utf8');
const LIBRARY_URN = 'urn:hygie-test:risk:library:cyber-sante-echantillon';
const NODE = 'urn:hygie-test:risk:req_node:cyber-sante-echantillon';
const api = (p: string) => `/api/v1${p}`;

const clients = new Map<string, Client>();
async function as(who: WorldUser): Promise<Client> {
  let c = clients.get(who);
  if (!c) {
    c = await signIn(t, world.users[who].email);
    clients.set(who, c);
  }
  return c;
}

async function count(table: 'assessment_frameworks' | 'assessment_framework_nodes' | 'audit_log' | 'assessment_answers'): Promise<number> {
  const { rows } = await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return Number(rows[0].n);
}
const counts = async () => ({
  frameworks: await count('assessment_frameworks'),
  nodes: await count('assessment_framework_nodes'),
  answers: await count('assessment_answers'),
  imported: (await t.platform.db.select().from(auditLog).where(eq(auditLog.action, 'assessment.framework.imported'))).length,
});

const FRENCH = /[àâçéèêëîïôûùüœ«]|\b(le|la|les|de|des|du|un|une|est|ce|cette|vous|votre|pas|et|invalide)\b/i;
function assertFrench(message: string, context: string) {
  assert.match(message, FRENCH, `${context}: not French: ${message}`);
  assert.doesNotMatch(message, /\b(invalid|expected|required|received|must)\b/i, `${context}: English: ${message}`);
}
function assertError(res: LightMyRequestResponse, status: number, code: string, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  assert.equal(res.json().error.code, code, context);
  assertFrench(res.json().error.message, context);
}

function lineOf(text: string, needle: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].includes(needle) && ++seen === nth) return i + 1;
  throw new Error(`"${needle}" not found`);
}

function parsed(text: string): ParsedLibrary {
  const r = parseLibrary(text);
  assert.ok(r.ok, 'fixture parses');
  return r.library;
}

/** Imports as `who`; the caller checks the answer. */
const importAs = async (who: WorldUser, yaml: string, dryRun = false) => (await as(who)).post(api('/frameworks/import'), { yaml, dryRun });

async function frameworkByUrn(urn: string) {
  const [row] = await t.platform.db.select().from(frameworks).where(eq(frameworks.libraryUrn, urn));
  return row;
}
async function nodesOf(frameworkId: string) {
  return t.platform.db.select().from(frameworkNodes).where(eq(frameworkNodes.frameworkId, frameworkId)).orderBy(asc(frameworkNodes.position));
}

/** A library of our own, in memory, for the rules of import and synchronisation. */
function smallLibrary(urn: string, version: number, opts: { kind?: 'referentiel' | 'express'; measure?: string } = {}) {
  return `urn: ${urn}
locale: fr
ref_id: PETIT
name: Petit référentiel
version: ${version}
${opts.kind ? `hygie:\n  kind: ${opts.kind}\n` : ''}objects:
  framework:
    urn: ${urn}:framework
    ref_id: PETIT
    name: Petit référentiel
    min_score: 0
    max_score: 3
    requirement_nodes:
    - urn: ${urn}:o1
      assessable: false
      depth: 1
      name: Objectif
    - urn: ${urn}:m1
      assessable: true
      depth: 2
      parent_urn: ${urn}:o1
      name: ${opts.measure ?? 'Mesure'}
      implementation_groups: [essentielle]
`;
}

// --- Reading frameworks ------------------------------------------------------------------------

test('Hygie’s own frameworks are installed from content/ when the database is prepared', async () => {
  const files = readdirSync(CONTENT_FRAMEWORKS_DIR).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length >= 2, 'content/frameworks holds the référentiel and the diagnostic express');
  const res = await (await as('rssi')).get(api('/frameworks'));
  assert.equal(res.statusCode, 200, res.body);
  const list = res.json().frameworks as { libraryUrn: string; origin: string; kind: string; version: number; assessableCount: number }[];
  for (const file of files) {
    const library = parsed(readFileSync(path.join(CONTENT_FRAMEWORKS_DIR, file), 'utf8'));
    const found = list.find((f) => f.libraryUrn === library.framework.libraryUrn);
    assert.ok(found, `${file} is installed`);
    assert.equal(found.origin, 'content');
    assert.equal(found.kind, library.framework.kind);
    assert.equal(found.version, library.framework.version);
    assert.equal(found.assessableCount, library.nodes.filter((n) => n.assessable).length);
  }
  assert.ok(list.some((f) => f.kind === 'referentiel' && f.origin === 'content'), 'the référentiel is there');
  assert.ok(list.some((f) => f.kind === 'express' && f.origin === 'content'), 'the diagnostic express is there');
  assert.deepEqual(list.slice(0, 2).map((f) => f.kind), ['referentiel', 'express'], 'Hygie’s own come first');
  // Starting again changes nothing.
  const before = await counts();
  const again = await syncContent(t.platform.db);
  assert.ok(again.every((r) => r.action === 'unchanged'));
  assert.deepEqual(await counts(), before);
});

test('list and read: anyone with a role somewhere, in any region; not a person without one', async () => {
  const imported = await importAs('admin', V1);
  assert.equal(imported.statusCode, 200, imported.body);
  const id = imported.json().frameworkId as string;
  for (const who of ['agent', 'referent', 'rssi', 'direction', 'coordGht', 'coordRegion', 'admin', 'ehpadRssi', 'foreignRssi', 'foreignCoord'] as const) {
    const list = await (await as(who)).get(api('/frameworks'));
    assert.equal(list.statusCode, 200, `${who}: ${list.body}`);
    assert.ok((list.json().frameworks as { id: string }[]).some((f) => f.id === id), `${who} sees the framework`);
    const one = await (await as(who)).get(api(`/frameworks/${id}`));
    assert.equal(one.statusCode, 200, `${who}: ${one.body}`);
  }

  const hash = await hashPassword(PASSWORD);
  const [nobody] = await t.platform.db.insert(users).values({ email: 'sans.role@test.hygie.fr', displayName: 'Sans rôle', passwordHash: hash }).returning();
  const stranger = await signIn(t, nobody.email);
  assertError(await stranger.get(api('/frameworks')), 403, 'forbidden', 'no role anywhere');
  assertError(await stranger.get(api(`/frameworks/${id}`)), 403, 'forbidden', 'no role anywhere');
  assertError(await stranger.get(api(`/frameworks/${id}/export.yaml`)), 403, 'forbidden', 'no role anywhere');

  const anonymous = new Client(t.app);
  assert.equal((await anonymous.get(api('/frameworks'))).statusCode, 401);
  assert.equal((await anonymous.get(api(`/frameworks/${id}`))).statusCode, 401);
});

test('GET /frameworks/:id: the framework, its scale and its nodes in order', async () => {
  const id = (await frameworkByUrn(LIBRARY_URN)).id;
  const res = await (await as('direction')).get(api(`/frameworks/${id}`));
  assert.equal(res.statusCode, 200, res.body);
  const detail = res.json();
  assert.equal(detail.name, 'Échantillon cyber santé');
  assert.equal(detail.origin, 'import');
  assert.equal(detail.kind, 'other');
  assert.equal(detail.assessableCount, 6);
  assert.deepEqual([detail.minScore, detail.maxScore], [0, 3]);
  assert.deepEqual(
    detail.scoresDefinition.map((s: { name: string }) => s.name),
    ['Inexistant', 'Initial', 'Défini', 'Maîtrisé'],
  );
  assert.deepEqual(
    detail.nodes.map((n: { refId: string; depth: number }) => `${n.refId}/${n.depth}`),
    ['GOUV/1', 'GOUV.1/2', 'GOUV.1.1/3', 'GOUV.1.2/3', 'GOUV.2/2', 'CONT/1', 'CONT.1/2', 'CONT.1.1/3', 'CONT.1.2/3', 'CONT.2/2'],
  );
  const rssi = detail.nodes[2];
  assert.equal(rssi.parentUrn, `${NODE}:gouv.pilotage`);
  assert.equal(rssi.priority, 'essential');
  assert.equal(rssi.typicalEvidence, 'Lettre de mission ou fiche de poste signée par la direction.');
  assert.equal(rssi.questions[0].choices.length, 3);

  assertError(await (await as('rssi')).get(api(`/frameworks/${randomUUID()}`)), 404, 'not_found', 'unknown id');
  const malformed = await (await as('rssi')).get(api('/frameworks/pas-un-id'));
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().error.fields[0].path, 'id');
  assertFrench(malformed.json().error.fields[0].message, 'malformed id');
});

// --- Importing -------------------------------------------------------------------------------------

test('import: a regional coordinator (of any region) and the administrator; nobody else', async () => {
  const urn = 'urn:t:library:droits';
  for (const who of ['agent', 'referent', 'rssi', 'direction', 'coordGht', 'ehpadRssi', 'foreignRssi'] as const) {
    const before = await counts();
    assertError(await importAs(who, smallLibrary(urn, 1)), 403, 'forbidden', who);
    assertError(await importAs(who, smallLibrary(urn, 1), true), 403, 'forbidden', `${who} (dry run)`);
    assert.deepEqual(await counts(), before, `${who}: nothing written`);
  }
  const denied = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorId, world.users.rssi.id)));
  assert.ok(denied.some((d) => (d.details as { policy?: string }).policy === 'assessment:framework.import'), 'the refusal is audited');

  const created = await importAs('coordRegion', smallLibrary(urn, 1));
  assert.equal(created.statusCode, 200, created.body);
  assert.equal(created.json().preview.action, 'create');
  const updated = await importAs('foreignCoord', smallLibrary(urn, 2));
  assert.equal(updated.statusCode, 200, updated.body);
  assert.equal(updated.json().preview.action, 'update');
  const byAdmin = await importAs('admin', smallLibrary(urn, 3));
  assert.equal(byAdmin.statusCode, 200, byAdmin.body);
  assert.equal(byAdmin.json().frameworkId, created.json().frameworkId, 'the same framework, updated in place');
  assert.equal((await frameworkByUrn(urn)).importedBy, world.users.admin.id);
});

test('dry run: the preview of what would happen, nothing written', async () => {
  const before = await counts();
  const fresh = await importAs('coordRegion', smallLibrary('urn:t:library:apercu', 4), true);
  assert.equal(fresh.statusCode, 200, fresh.body);
  assert.deepEqual(fresh.json(), {
    frameworkId: null,
    preview: {
      libraryUrn: 'urn:t:library:apercu',
      name: 'Petit référentiel',
      version: 4,
      action: 'create',
      currentVersion: null,
      nodeCount: 2,
      assessableCount: 1,
      added: 2,
      removed: 0,
      changed: 0,
      problems: [],
    },
  });
  const v2 = await importAs('coordRegion', V2, true);
  assert.equal(v2.statusCode, 200, v2.body);
  assert.deepEqual(
    { ...v2.json().preview, problems: undefined },
    { libraryUrn: LIBRARY_URN, name: 'Échantillon cyber santé', version: 2, action: 'update', currentVersion: 1, nodeCount: 10, assessableCount: 6, added: 1, removed: 1, changed: 1, problems: undefined },
  );
  const older = await importAs('coordRegion', smallLibrary('urn:t:library:droits', 1), true);
  assert.equal(older.statusCode, 200, 'a dry run describes, it does not refuse');
  assert.equal(older.json().preview.action, 'older');
  assert.deepEqual(await counts(), before, 'nothing written');
  assert.equal((await frameworkByUrn(LIBRARY_URN)).version, 1);
});

test('invalid files: 400, one French error per line, the same list in the preview, nothing written', async () => {
  const cases: { name: string; yaml: string; line: number; path: RegExp; message: RegExp }[] = [
    {
      name: 'bad YAML',
      yaml: V1.replace('      ref_id: GOUV.1.2\n', '     ref_id: GOUV.1.2\n'),
      line: lineOf(V1, 'ref_id: GOUV.1.2'),
      path: /syntaxe YAML/,
      message: /Indentation/,
    },
    {
      name: 'missing parent',
      yaml: V1.replace(`parent_urn: ${NODE}:cont.sauvegardes\n`, `parent_urn: ${NODE}:cont.inconnu\n`),
      line: lineOf(V1, `parent_urn: ${NODE}:cont.sauvegardes`),
      path: /^objects\.framework\.requirement_nodes\[7\]\.parent_urn$/,
      message: /n’existe pas/,
    },
    {
      name: 'duplicate URN',
      yaml: V1.replace(`- urn: ${NODE}:cont.mode-degrade\n`, `- urn: ${NODE}:gouv.politique\n`),
      line: lineOf(V1, `- urn: ${NODE}:cont.mode-degrade`),
      path: /^objects\.framework\.requirement_nodes\[9\]\.urn$/,
      message: /URN unique/,
    },
    {
      name: 'depth mismatch',
      yaml: V1.replace(/depth: 3\n(\s+parent_urn: \S+cont\.sauvegardes\n\s+ref_id: CONT\.1\.2)/, 'depth: 2\n$1'),
      line: lineOf(V1, 'ref_id: CONT.1.2') - 2,
      path: /^objects\.framework\.requirement_nodes\[8\]\.depth$/,
      message: /profondeur doit être 3/,
    },
  ];
  for (const c of cases) {
    assert.notEqual(c.yaml, V1, `${c.name}: the fixture was changed`);
    for (const dryRun of [false, true]) {
      const before = await counts();
      const res = await importAs('coordRegion', c.yaml, dryRun);
      const context = `${c.name}${dryRun ? ' (dry run)' : ''}`;
      assertError(res, 400, 'validation', context);
      const { error, preview } = res.json();
      assert.equal(error.fields.length, 1, `${context}: ${res.body}`);
      const [prefix, where] = error.fields[0].path.split(': ');
      assert.equal(prefix, `ligne ${c.line}`, context);
      assert.match(where, c.path, context);
      assert.match(error.fields[0].message, c.message, context);
      assertFrench(error.fields[0].message, context);
      assert.deepEqual(preview.problems, [{ line: c.line, path: where, message: error.fields[0].message }], context);
      assert.equal(preview.libraryUrn, LIBRARY_URN, `${context}: what could be read is shown`);
      assert.deepEqual(await counts(), before, `${context}: nothing written`);
    }
  }
});

test('bad requests: no file, an empty one, too big, a wrong dryRun', async () => {
  const coord = await as('coordRegion');
  const before = await counts();
  const noFile = await coord.post(api('/frameworks/import'), { dryRun: true });
  assertError(noFile, 400, 'validation', 'no file');
  assert.equal(noFile.json().error.fields[0].path, 'yaml');
  assert.equal(noFile.json().error.fields[0].message, 'Joignez le fichier YAML de la bibliothèque.');
  const empty = await coord.post(api('/frameworks/import'), { yaml: '' });
  assert.equal(empty.json().error.fields[0].message, 'Le fichier est vide.');
  const badFlag = await coord.post(api('/frameworks/import'), { yaml: V1, dryRun: 'oui' });
  assertError(badFlag, 400, 'validation', 'dryRun');
  assert.equal(badFlag.json().error.fields[0].path, 'dryRun');
  // Past the default 1 MB body, up to the 5 MB of the contract: the route accepts the body and the contract answers.
  const big = await coord.post(api('/frameworks/import'), { yaml: `# ${'x'.repeat(5_000_001)}\n` });
  assertError(big, 400, 'validation', 'too big');
  assert.equal(big.json().error.fields[0].message, 'Le fichier dépasse 5 Mo.');
  const notYaml = await coord.post(api('/frameworks/import'), { yaml: 'juste du texte' });
  assertError(notYaml, 400, 'validation', 'not a library');
  assert.match(notYaml.json().preview.problems[0].message, /doit décrire une bibliothèque/);
  assert.deepEqual(await counts(), before);
});

test('a new version updates in place: nodes matched by URN, answers kept, dropped nodes hidden but kept', async () => {
  const fw = await frameworkByUrn(LIBRARY_URN);
  const before = await nodesOf(fw.id);
  const byUrn = new Map(before.map((n) => [n.urn, n]));
  const removedNode = byUrn.get(`${NODE}:cont.mode-degrade`)!;
  const renamedNode = byUrn.get(`${NODE}:gouv.pilotage.comite`)!;
  const keptNode = byUrn.get(`${NODE}:gouv.pilotage.rssi`)!;

  // An assessment of the hospital with answers, written directly (the assessment endpoints are another area).
  const [assessment] = await t.platform.db
    .insert(assessments)
    .values({ orgId: world.orgs.hospital, frameworkId: fw.id, title: 'Diagnostic 2026', createdBy: world.users.rssi.id, assessableCount: 6, answeredCount: 3 })
    .returning();
  const written = [
    { assessmentId: assessment.id, nodeId: removedNode.id, status: 'partiel' as const, maturity: 1, comment: 'Classeur aux urgences seulement' },
    { assessmentId: assessment.id, nodeId: renamedNode.id, status: 'oui' as const, maturity: 3, comment: null },
    { assessmentId: assessment.id, nodeId: keptNode.id, status: 'non' as const, maturity: 0, comment: 'À nommer', questionAnswers: { [`${NODE}:gouv.pilotage.rssi:question:1`]: [`${NODE}:gouv.pilotage.rssi:question:1:choice:3`] } },
  ];
  await t.platform.db.insert(answers).values(written);
  const answersBefore = await t.platform.db.select().from(answers).where(eq(answers.assessmentId, assessment.id)).orderBy(asc(answers.nodeId));

  const auditBefore = (await counts()).imported;
  const res = await importAs('coordRegion', V2);
  assert.equal(res.statusCode, 200, res.body);
  const { preview, frameworkId } = res.json();
  assert.equal(frameworkId, fw.id);
  assert.deepEqual([preview.action, preview.currentVersion, preview.version, preview.added, preview.removed, preview.changed], ['update', 1, 2, 1, 1, 1]);

  // Every answer is still there, untouched, on the same nodes.
  const answersAfter = await t.platform.db.select().from(answers).where(eq(answers.assessmentId, assessment.id)).orderBy(asc(answers.nodeId));
  assert.deepEqual(answersAfter, answersBefore);

  const after = await nodesOf(fw.id);
  const afterByUrn = new Map(after.map((n) => [n.urn, n]));
  assert.equal(afterByUrn.get(renamedNode.urn)!.id, renamedNode.id, 'matched by URN: the same row');
  assert.equal(afterByUrn.get(renamedNode.urn)!.name, 'Un comité de sécurité se réunit chaque semestre');
  assert.equal(afterByUrn.get(keptNode.urn)!.id, keptNode.id);
  assert.deepEqual(afterByUrn.get(removedNode.urn)!.extra, { removed: true }, 'kept, marked removed');
  const added = afterByUrn.get(`${NODE}:cont.sauvegardes.supervision`)!;
  assert.ok(added && added.assessable && added.priority === 'recommended');

  const detail = (await (await as('rssi')).get(api(`/frameworks/${fw.id}`))).json();
  assert.equal(detail.version, 2);
  assert.equal(detail.assessableCount, 6);
  assert.deepEqual(
    detail.nodes.map((n: { refId: string }) => n.refId),
    ['GOUV', 'GOUV.1', 'GOUV.1.1', 'GOUV.1.2', 'GOUV.2', 'CONT', 'CONT.1', 'CONT.1.1', 'CONT.1.2', 'CONT.1.3'],
  );
  assert.ok(!detail.nodes.some((n: { urn: string }) => n.urn === removedNode.urn), 'the dropped node is no longer part of the framework');
  const listed = ((await (await as('rssi')).get(api('/frameworks'))).json().frameworks as { id: string; assessableCount: number }[]).find((f) => f.id === fw.id)!;
  assert.equal(listed.assessableCount, 6);

  // The assessment's maintained scores follow the new version at once: the dropped measure no longer counts.
  const [rescored] = await t.platform.db.select().from(assessments).where(eq(assessments.id, assessment.id));
  assert.deepEqual([rescored.answeredCount, rescored.assessableCount], [2, 6], 'the answer to the dropped measure no longer counts');
  assert.ok(rescored.score !== null, 'scored from the remaining answers');

  const [entry] = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'assessment.framework.imported'), eq(auditLog.targetId, fw.id))).orderBy(asc(auditLog.seq)).offset(1);
  assert.equal((await counts()).imported, auditBefore + 1);
  assert.equal(entry.actorId, world.users.coordRegion.id);
  assert.deepEqual(entry.details, { urn: LIBRARY_URN, version: 2, action: 'update', previousVersion: 1, origin: 'import', added: 1, removed: 1, changed: 1 });

  // A later version that brings the node back: it is part of the framework again, with its answers.
  const v3 = V1.replace('version: 1\n', 'version: 3\n');
  const back = await importAs('admin', v3);
  assert.equal(back.statusCode, 200, back.body);
  assert.deepEqual([back.json().preview.added, back.json().preview.removed], [1, 1]);
  const again = new Map((await nodesOf(fw.id)).map((n) => [n.urn, n]));
  assert.equal(again.get(removedNode.urn)!.id, removedNode.id);
  assert.deepEqual(again.get(removedNode.urn)!.extra, {});
  assert.deepEqual(await t.platform.db.select().from(answers).where(eq(answers.assessmentId, assessment.id)).orderBy(asc(answers.nodeId)), answersBefore);
});

test('the same version changes nothing; an older one is refused (409)', async () => {
  const fw = await frameworkByUrn(LIBRARY_URN);
  assert.equal(fw.version, 3);
  const same = V1.replace('version: 1\n', 'version: 3\n');
  const before = await counts();
  const res = await importAs('coordRegion', same.replace('Un comité de sécurité se réunit', 'Un autre nom'));
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().preview.action, 'unchanged');
  assert.equal(res.json().preview.changed, 1, 'the preview tells what differs');
  assert.equal(res.json().frameworkId, fw.id);
  assert.deepEqual(await counts(), before, 'nothing written, not even an audit entry');
  assert.deepEqual(await frameworkByUrn(LIBRARY_URN), fw);

  const older = await importAs('coordRegion', V2);
  assertError(older, 409, 'conflict', 'older version');
  assert.match(older.json().error.message, /version 2 est plus ancienne que celle déjà installée \(3\)/);
  assert.deepEqual(await counts(), before);
  assert.deepEqual(await frameworkByUrn(LIBRARY_URN), fw);
});

test('export: CISO Assistant’s YAML, as a file, that reads back as the same nodes', async () => {
  const fw = await frameworkByUrn(LIBRARY_URN);
  const res = await (await as('ehpadRssi')).get(api(`/frameworks/${fw.id}/export.yaml`));
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^application\/yaml/);
  assert.equal(res.headers['content-disposition'], 'attachment; filename="CYBER-SANTE-ECH.yaml"');
  const library = parsed(res.body);
  assert.equal(library.framework.libraryUrn, LIBRARY_URN);
  assert.equal(library.framework.version, 3);
  const detail = (await (await as('ehpadRssi')).get(api(`/frameworks/${fw.id}`))).json();
  assert.deepEqual(
    library.nodes.map((n) => ({ urn: n.urn, parentUrn: n.parentUrn, refId: n.refId, name: n.name, description: n.description, annotation: n.annotation, typicalEvidence: n.typicalEvidence, depth: n.depth, assessable: n.assessable, priority: n.priority, questions: n.questions })),
    (detail.nodes as Record<string, unknown>[]).map((n) => ({ urn: n.urn, parentUrn: n.parentUrn, refId: n.refId, name: n.name, description: n.description, annotation: n.annotation, typicalEvidence: n.typicalEvidence, depth: n.depth, assessable: n.assessable, priority: n.priority, questions: n.questions })),
  );
  // The same as the file imported, for everything mapped and kept.
  const source = parsed(V1.replace('version: 1\n', 'version: 3\n'));
  assert.deepEqual(library.nodes, source.nodes);
  assert.deepEqual({ ...library.framework, extra: undefined }, { ...source.framework, extra: undefined });
  assert.deepEqual(library.framework.extra, source.framework.extra);
  // Re-importing the export: the same version, nothing to do.
  const reimport = await importAs('admin', res.body, true);
  assert.deepEqual([reimport.json().preview.action, reimport.json().preview.changed], ['unchanged', 0]);

  assertError(await (await as('rssi')).get(api(`/frameworks/${randomUUID()}/export.yaml`)), 404, 'not_found', 'unknown id');
});

// --- Hygie's content ----------------------------------------------------------------------------

test('syncContent: created, then unchanged, updated with a higher version; an invalid file stops everything', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hygie-content-'));
  try {
    writeFileSync(path.join(dir, 'a-referentiel.yaml'), smallLibrary('urn:t:library:contenu-ref', 1, { kind: 'referentiel' }));
    writeFileSync(path.join(dir, 'b-express.yml'), smallLibrary('urn:t:library:contenu-express', 1, { kind: 'express' }));
    writeFileSync(path.join(dir, 'notes.txt'), 'pas un référentiel');
    assert.deepEqual(
      (await syncContent(t.platform.db, { dir })).map((r) => [path.basename(r.file), r.action]),
      [
        ['a-referentiel.yaml', 'create'],
        ['b-express.yml', 'create'],
      ],
    );
    const ref = await frameworkByUrn('urn:t:library:contenu-ref');
    assert.deepEqual([ref.origin, ref.kind, ref.importedBy], ['content', 'referentiel', null]);
    assert.equal((await frameworkByUrn('urn:t:library:contenu-express')).kind, 'express');
    const [entry] = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'assessment.framework.imported'), eq(auditLog.targetId, ref.id)));
    assert.equal(entry.actorLabel, 'Hygie (contenu livré)');
    assert.equal((entry.details as { file: string }).file, path.join(dir, 'a-referentiel.yaml'));

    const before = await counts();
    assert.deepEqual((await syncContent(t.platform.db, { dir })).map((r) => r.action), ['unchanged', 'unchanged']);
    assert.deepEqual(await counts(), before);

    writeFileSync(path.join(dir, 'a-referentiel.yaml'), smallLibrary('urn:t:library:contenu-ref', 2, { kind: 'referentiel', measure: 'Mesure revue' }));
    assert.deepEqual((await syncContent(t.platform.db, { dir })).map((r) => r.action), ['update', 'unchanged']);
    assert.equal((await nodesOf(ref.id))[1].name, 'Mesure revue');

    // Hygie's own frameworks are not replaced by an import.
    const refused = await importAs('admin', smallLibrary('urn:t:library:contenu-ref', 5, { kind: 'referentiel' }));
    assertError(refused, 409, 'conflict', 'content framework');
    assert.match(refused.json().error.message, /livré avec Hygie/);
    const previewed = await importAs('admin', smallLibrary('urn:t:library:contenu-ref', 5, { kind: 'referentiel' }), true);
    assert.match(previewed.json().preview.problems[0].message, /livré avec Hygie/);

    // An invalid file stops start-up, naming the file and the line; nothing is written, not even the valid files.
    writeFileSync(path.join(dir, 'a-referentiel.yaml'), smallLibrary('urn:t:library:contenu-ref', 3, { kind: 'referentiel' }).replace('depth: 2', 'depth: 5'));
    writeFileSync(path.join(dir, 'b-express.yml'), smallLibrary('urn:t:library:contenu-express', 2, { kind: 'express' }));
    const stable = await counts();
    await assert.rejects(syncContent(t.platform.db, { dir }), (err: Error) => {
      assert.ok(err instanceof ContentError);
      assert.match(err.message, /a-referentiel\.yaml est invalide/);
      assert.match(err.message, /ligne 22, objects\.framework\.requirement_nodes\[1\]\.depth : La profondeur doit être 2/);
      return true;
    });
    assert.deepEqual(await counts(), stable);
    assert.equal((await frameworkByUrn('urn:t:library:contenu-express')).version, 1);

    // Two files for one library: refused too.
    writeFileSync(path.join(dir, 'a-referentiel.yaml'), smallLibrary('urn:t:library:contenu-express', 3));
    await assert.rejects(syncContent(t.platform.db, { dir }), /déjà celle de/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
