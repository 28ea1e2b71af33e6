import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { parseLibrary, serializeLibrary, type LibraryProblem, type ParsedLibrary } from './library';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures');
const SAMPLE = readFileSync(path.join(FIXTURES, 'ciso-library-sample.yaml'), 'utf8');
const SAMPLE_V2 = readFileSync(path.join(FIXTURES, 'ciso-library-sample-v2.yaml'), 'utf8');
const URN = 'urn:hygie-test:risk:req_node:cyber-sante-echantillon';

function ok(text: string): ParsedLibrary {
  const r = parseLibrary(text);
  if (!r.ok) assert.fail(`expected a valid library, got:\n${r.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`).join('\n')}`);
  return r.library;
}

function problems(text: string): LibraryProblem[] {
  const r = parseLibrary(text);
  assert.equal(r.ok, false, 'expected the library to be refused');
  return (r as { problems: LibraryProblem[] }).problems;
}

/** The 1-based line of the n-th line containing `needle`. */
function lineOf(text: string, needle: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].includes(needle) && ++seen === nth) return i + 1;
  throw new Error(`"${needle}" not found ${nth} time(s)`);
}

/** A French message: accented letters or common French words, no English. */
function assertFrench(message: string) {
  assert.match(message, /[àâçéèêëîïôûùüœ«]|\b(le|la|les|de|des|doit|est|une?)\b/i, `not French: ${message}`);
  assert.doesNotMatch(message, /\b(invalid|expected|required|received|must)\b/i, `English: ${message}`);
}

/** The one problem found, with its line and path; its message French and matching. */
function assertProblem(text: string, expected: { line: number; path: string; message: RegExp }) {
  const found = problems(text);
  const match = found.find((p) => p.path === expected.path);
  assert.ok(match, `no problem at ${expected.path}; got ${JSON.stringify(found, null, 1)}`);
  assert.equal(match.line, expected.line, `line of ${expected.path}: ${match.message}`);
  assert.match(match.message, expected.message);
  assertFrench(match.message);
  return found;
}

const HEAD = `urn: urn:t:library:essai
locale: fr
ref_id: ESSAI
name: Essai
version: 1
objects:
  framework:
    urn: urn:t:framework:essai
    ref_id: ESSAI
    name: Essai
    min_score: 0
    max_score: 3
    requirement_nodes:
`;
const node = (urn: string, lines: string[] = [], opts: { depth?: number; parent?: string; assessable?: boolean } = {}) =>
  [
    `    - urn: ${urn}`,
    `      assessable: ${opts.assessable ?? true}`,
    `      depth: ${opts.depth ?? (opts.parent ? 2 : 1)}`,
    ...(opts.parent ? [`      parent_urn: ${opts.parent}`] : []),
    ...lines.map((l) => `      ${l}`),
  ].join('\n') + '\n';
const GROUP = node('urn:t:n:g', ['name: Groupe'], { assessable: false });

// --- The sample file ---------------------------------------------------------------------------

test('the sample CISO Assistant library: framework, scales, groups and the nested tree', () => {
  const { framework, nodes } = ok(SAMPLE);
  assert.equal(framework.libraryUrn, 'urn:hygie-test:risk:library:cyber-sante-echantillon');
  assert.equal(framework.urn, 'urn:hygie-test:risk:framework:cyber-sante-echantillon');
  assert.equal(framework.refId, 'CYBER-SANTE-ECH');
  assert.equal(framework.name, 'Échantillon cyber santé');
  assert.equal(framework.version, 1);
  assert.equal(framework.locale, 'fr');
  assert.equal(framework.provider, 'Hygie (tests)');
  assert.equal(framework.kind, 'other');
  assert.deepEqual([framework.minScore, framework.maxScore], [0, 3]);
  assert.deepEqual(
    framework.scoresDefinition.map((s) => [s.score, s.name]),
    [
      [0, 'Inexistant'],
      [1, 'Initial'],
      [2, 'Défini'],
      [3, 'Maîtrisé'],
    ],
  );
  assert.deepEqual(framework.implementationGroups[2], { refId: 'ght', name: 'Mutualisable en GHT' });
  // Values with no column are kept for the export.
  assert.equal((framework.extra.library as Record<string, unknown>).publication_date, '2026-01-15');
  assert.deepEqual((framework.extra.library as Record<string, unknown>).translations, { en: { name: 'Health cyber sample', description: "Test library in CISO Assistant's format." } });

  assert.equal(nodes.length, 10);
  assert.deepEqual(
    nodes.map((n) => [n.refId, n.depth, n.assessable]),
    [
      ['GOUV', 1, false],
      ['GOUV.1', 2, false],
      ['GOUV.1.1', 3, true],
      ['GOUV.1.2', 3, true],
      ['GOUV.2', 2, true],
      ['CONT', 1, false],
      ['CONT.1', 2, false],
      ['CONT.1.1', 3, true],
      ['CONT.1.2', 3, true],
      ['CONT.2', 2, true],
    ],
  );
  assert.deepEqual(nodes.map((n) => n.position), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const rssi = nodes[2];
  assert.equal(rssi.parentUrn, `${URN}:gouv.pilotage`);
  assert.equal(rssi.annotation, 'Dans un petit établissement, la fonction peut être mutualisée au niveau du GHT.');
  assert.equal(rssi.typicalEvidence, 'Lettre de mission ou fiche de poste signée par la direction.');
  assert.deepEqual(rssi.implementationGroups, ['essentielle', 'ght']);
  assert.equal(rssi.priority, 'essential');
  assert.equal(nodes[3].priority, 'recommended');
  assert.equal(nodes[0].priority, null);
  assert.deepEqual(rssi.questions, [
    {
      urn: `${URN}:gouv.pilotage.rssi:question:1`,
      type: 'unique_choice',
      text: 'Qui assure la fonction de RSSI ?',
      choices: [
        { urn: `${URN}:gouv.pilotage.rssi:question:1:choice:1`, value: "Une personne de l'établissement" },
        { urn: `${URN}:gouv.pilotage.rssi:question:1:choice:2`, value: 'Un RSSI mutualisé du GHT' },
        { urn: `${URN}:gouv.pilotage.rssi:question:1:choice:3`, value: 'Personne' },
      ],
    },
    { urn: `${URN}:gouv.pilotage.rssi:question:2`, type: 'date', text: 'Date de la dernière lettre de mission', choices: [] },
  ]);
  // Choice fields Hygie does not use (scores, results, colours) are kept for the export.
  const kept = (rssi.extra.questions as Record<string, { choices: Record<string, unknown> }>)[`${URN}:gouv.pilotage.rssi:question:1`].choices;
  assert.deepEqual(kept[`${URN}:gouv.pilotage.rssi:question:1:choice:1`], { add_score: 3, compute_result: 'compliant', color: '#2e7d32' });
  assert.equal(nodes[4].questions![0].type, 'multiple_choice');
  assert.equal(nodes[8].questions![0].type, 'text');
  assert.deepEqual(nodes[7].extra, { translations: { en: { name: 'An offline copy of backups exists' } } });
  assert.equal(nodes[0].questions, null);
});

test('round trip: parsing the export gives the same library, and exporting again the same text', () => {
  for (const source of [SAMPLE, SAMPLE_V2]) {
    const first = ok(source);
    const text = serializeLibrary(first.framework, first.nodes);
    const again = ok(text);
    assert.deepEqual(again, first);
    assert.equal(serializeLibrary(again.framework, again.nodes), text);
    // It is CISO Assistant's format: the same keys where CISO Assistant reads them.
    const raw = parseYaml(text) as { objects: { framework: { requirement_nodes: Record<string, unknown>[] } }; translations: unknown };
    assert.deepEqual(raw.translations, { en: { name: 'Health cyber sample', description: "Test library in CISO Assistant's format." } });
    const rssi = raw.objects.framework.requirement_nodes[2];
    assert.deepEqual(Object.keys(rssi).slice(0, 4), ['urn', 'assessable', 'depth', 'parent_urn']);
    assert.deepEqual(Object.keys(rssi.questions as object), [`${URN}:gouv.pilotage.rssi:question:1`, `${URN}:gouv.pilotage.rssi:question:2`]);
  }
});

test('export quotes what a YAML 1.1 reader (CISO Assistant) would not read as text', () => {
  const lib = ok(HEAD + node('urn:t:n:1', ['name: "no"', 'ref_id: "1.10"', 'description: "2026-01-15"']));
  const text = serializeLibrary(lib.framework, lib.nodes);
  assert.match(text, /name: "no"/);
  assert.match(text, /ref_id: "1\.10"/);
  assert.match(text, /description: "2026-01-15"/);
  assert.equal(ok(text).nodes[0].refId, '1.10');
  // A reference written as a bare number in the file is read as the text it shows.
  assert.equal(ok(HEAD + node('urn:t:n:1', ['ref_id: 1.2'])).nodes[0].refId, '1.2');
});

test("Hygie's extension blocks: kind, maturity levels, actions, sources; priority from the groups", () => {
  const text = HEAD.replace('objects:', 'hygie:\n  kind: express\n  audience: petites structures\nobjects:') +
    node('urn:t:n:1', [
      'implementation_groups: [recommandee]',
      'hygie:',
      '  maturity_levels:',
      '  - level: 0',
      '    description: Rien',
      '  - level: 3',
      '    description: Tout',
      '  actions: [Écrire la procédure, Tester la restauration]',
      '  sources:',
      '  - title: Guide d’hygiène informatique (ANSSI)',
      '    url: https://cyber.gouv.fr/publications/guide-dhygiene-informatique',
      '  - title: Programme CaRE',
      '  note: interne',
    ]) +
    node('urn:t:n:2', ['implementation_groups: [essentielle, recommandee]']);
  const { framework, nodes } = ok(text);
  assert.equal(framework.kind, 'express');
  assert.deepEqual(framework.extra.hygie, { audience: 'petites structures' });
  assert.deepEqual(nodes[0].maturityLevels, [
    { level: 0, description: 'Rien' },
    { level: 3, description: 'Tout' },
  ]);
  assert.deepEqual(nodes[0].suggestedActions, ['Écrire la procédure', 'Tester la restauration']);
  assert.deepEqual(nodes[0].sources, [{ title: 'Guide d’hygiène informatique (ANSSI)', url: 'https://cyber.gouv.fr/publications/guide-dhygiene-informatique' }, { title: 'Programme CaRE' }]);
  assert.deepEqual(nodes[0].extra, { hygie: { note: 'interne' } });
  assert.equal(nodes[0].priority, 'recommended');
  assert.equal(nodes[1].priority, 'essential', 'essential wins');
  const back = ok(serializeLibrary(framework, nodes));
  assert.deepEqual(back, { framework, nodes });
});

test('older libraries: the `question` block with its choice texts is read into the current shape', () => {
  const { nodes } = ok(
    HEAD +
      node('urn:t:n:1', [
        'question:',
        '  question_type: unique_choice',
        '  question_choices: [Oui, Non, En cours]',
        '  questions:',
        '  - urn: urn:t:n:1:question:1',
        '    text: La mesure est-elle en place ?',
      ]) +
      node('urn:t:n:2', ['questions:', '  urn:t:n:2:q:1:', '    type: single_choice', '    text: Un choix', '    choices:', '    - urn: urn:t:n:2:q:1:c:1', '      value: Oui']),
  );
  assert.deepEqual(nodes[0].questions, [
    {
      urn: 'urn:t:n:1:question:1',
      type: 'unique_choice',
      text: 'La mesure est-elle en place ?',
      choices: [
        { urn: 'urn:t:n:1:question:1:choice:1', value: 'Oui' },
        { urn: 'urn:t:n:1:question:1:choice:2', value: 'Non' },
        { urn: 'urn:t:n:1:question:1:choice:3', value: 'En cours' },
      ],
    },
  ]);
  assert.equal(nodes[1].questions![0].type, 'unique_choice', 'single_choice is read as unique_choice');
  // Exported in the current shape, which reads back the same.
  const text = serializeLibrary(ok(HEAD + node('urn:t:n:x')).framework, nodes);
  assert.match(text, /urn:t:n:1:question:1:\n\s+type: unique_choice/);
  assert.deepEqual(ok(text).nodes.map((n) => n.questions), nodes.map((n) => n.questions));
});

test('a real library without scores nor scale: CISO Assistant’s defaults (0 to 100)', () => {
  const text = HEAD.replace('    min_score: 0\n    max_score: 3\n', '') + node('urn:t:n:1');
  const { framework } = ok(text);
  assert.deepEqual([framework.minScore, framework.maxScore, framework.scoresDefinition, framework.implementationGroups], [0, 100, [], []]);
});

// --- Each rule: a French message at the right line -------------------------------------------------

test('YAML syntax errors are told at their line', () => {
  const badIndent = HEAD + node('urn:t:n:1', ['name: Mesure']).replace('      name: Mesure', '     name: Mesure');
  const [indent, ...more] = problems(badIndent);
  assert.equal(indent.line, lineOf(badIndent, 'name: Mesure'));
  assert.equal(indent.path, '(syntaxe YAML)');
  assert.match(indent.message, /^Indentation incorrecte/);
  assertFrench(indent.message);
  assert.equal(more.length, 0, 'only the first syntax error: the next ones follow from it');

  const duplicate = HEAD + node('urn:t:n:1', ['name: Une', 'name: Deux']);
  const [dup] = problems(duplicate);
  assert.equal(dup.line, lineOf(duplicate, 'name: Deux'));
  assert.match(dup.message, /Clé en double/);

  const tab = HEAD + node('urn:t:n:1', ['name: Mesure']).replace('      name: Mesure', '\tname: Mesure');
  const [tabbed] = problems(tab);
  assert.equal(tabbed.line, lineOf(tab, 'name: Mesure'));
  assertFrench(tabbed.message);

  const quote = HEAD + node('urn:t:n:1', ['name: "Mesure non refermée', 'description: suite']);
  const [unclosed] = problems(quote);
  assert.equal(unclosed.line, lineOf(quote, 'name: "Mesure'));
  assert.match(unclosed.message, /^Guillemet non refermé/);

  const colon = HEAD + node('urn:t:n:1', ['name Mesure sans deux-points']);
  const [noColon] = problems(colon);
  assert.equal(noColon.line, lineOf(colon, 'name Mesure'));
  assert.match(noColon.message, /Il manque « : » après la clé/);
});

test('a parent that does not exist', () => {
  const text = HEAD + GROUP + node('urn:t:n:1', [], { parent: 'urn:t:n:absent' });
  assertProblem(text, {
    line: lineOf(text, 'parent_urn: urn:t:n:absent'),
    path: 'objects.framework.requirement_nodes[1].parent_urn',
    message: /Le parent « urn:t:n:absent » n’existe pas/,
  });
});

test('a parent defined further down the file is fine', () => {
  const { nodes } = ok(HEAD + node('urn:t:n:1', [], { parent: 'urn:t:n:g' }) + GROUP);
  assert.equal(nodes[0].parentUrn, 'urn:t:n:g');
});

test('two nodes with the same URN', () => {
  const text = HEAD + GROUP + node('urn:t:n:1', [], { parent: 'urn:t:n:g' }) + node('urn:t:n:1', ['name: Doublon'], { parent: 'urn:t:n:g' });
  assertProblem(text, { line: lineOf(text, '- urn: urn:t:n:1', 2), path: 'objects.framework.requirement_nodes[2].urn', message: /déjà celle du nœud n° 2/ });
});

test('a depth that does not follow the parent’s', () => {
  const text = HEAD + GROUP + node('urn:t:n:1', [], { parent: 'urn:t:n:g', depth: 3 });
  assertProblem(text, { line: lineOf(text, 'depth: 3'), path: 'objects.framework.requirement_nodes[1].depth', message: /profondeur doit être 2 : celle du parent \(1\) plus 1, pas 3/ });
  const root = HEAD + node('urn:t:n:1', [], { depth: 2 });
  assertProblem(root, { line: lineOf(root, 'depth: 2'), path: 'objects.framework.requirement_nodes[0].depth', message: /sans parent.*profondeur doit être 1/ });
  const self = HEAD + GROUP + node('urn:t:n:1', [], { parent: 'urn:t:n:1' });
  assertProblem(self, { line: lineOf(self, 'parent_urn: urn:t:n:1'), path: 'objects.framework.requirement_nodes[1].parent_urn', message: /son propre parent/ });
});

test('at least one assessable node', () => {
  const text = HEAD + node('urn:t:n:1', [], { assessable: false });
  assertProblem(text, { line: lineOf(text, 'requirement_nodes:'), path: 'objects.framework.requirement_nodes', message: /au moins une exigence évaluable/ });
  const empty = `${HEAD.trimEnd()} []\n`;
  assertProblem(empty, { line: lineOf(empty, 'requirement_nodes:'), path: 'objects.framework.requirement_nodes', message: /aucune exigence/ });
});

test('scores and maturity levels within the scale', () => {
  const scores = HEAD.replace('    requirement_nodes:\n', '    scores_definition:\n    - score: 0\n      name: Rien\n    - score: 5\n      name: Trop\n    requirement_nodes:\n') + node('urn:t:n:1');
  assertProblem(scores, { line: lineOf(scores, 'score: 5'), path: 'objects.framework.scores_definition[1].score', message: /Le score 5 sort de l’échelle du référentiel \(de 0 à 3\)/ });
  const levels = HEAD + node('urn:t:n:1', ['hygie:', '  maturity_levels:', '  - level: 4', '    description: Au-delà']);
  assertProblem(levels, { line: lineOf(levels, 'level: 4'), path: 'objects.framework.requirement_nodes[0].hygie.maturity_levels[0].level', message: /Le niveau 4 sort de l’échelle/ });
  const inverted = HEAD.replace('max_score: 3', 'max_score: -1') + node('urn:t:n:1');
  assertProblem(inverted, { line: lineOf(inverted, 'max_score: -1'), path: 'objects.framework.max_score', message: /score maximal \(-1\) doit être supérieur ou égal au score minimal \(0\)/ });
});

test('the version: a positive integer', () => {
  for (const [value, message] of [
    ['0', /nombre entier positif.*« 0 »/],
    ['2.5', /nombre entier positif.*« 2\.5 »/],
    ['deux', /nombre entier positif.*« deux »/],
  ] as const) {
    const text = HEAD.replace('version: 1', `version: ${value}`) + node('urn:t:n:1');
    assertProblem(text, { line: 5, path: 'version', message });
  }
  const missing = HEAD.replace('version: 1\n', '') + node('urn:t:n:1');
  assertProblem(missing, { line: 1, path: 'version', message: /« version » est obligatoire/ });
});

test('the shape: missing fields, wrong types, unknown question types, choice questions without choices', () => {
  const noUrn = HEAD + GROUP + '    - assessable: true\n      depth: 1\n      name: Sans URN\n';
  assertProblem(noUrn, { line: lineOf(noUrn, '- assessable: true'), path: 'objects.framework.requirement_nodes[1].urn', message: /Le champ « urn » est obligatoire/ });

  const notBoolean = HEAD + node('urn:t:n:1').replace('assessable: true', 'assessable: peut-être');
  assertProblem(notBoolean, { line: lineOf(notBoolean, 'assessable: peut-être'), path: 'objects.framework.requirement_nodes[0].assessable', message: /« assessable » doit être true ou false, pas « peut-être »/ });

  const badType = HEAD + node('urn:t:n:1', ['questions:', '  urn:t:q:1:', '    type: boolean', '    text: Vrai ?']);
  assertProblem(badType, { line: lineOf(badType, 'type: boolean'), path: 'objects.framework.requirement_nodes[0].questions["urn:t:q:1"].type', message: /Valeur « boolean » inconnue pour « type »/ });

  const noChoices = HEAD + node('urn:t:n:1', ['questions:', '  urn:t:q:1:', '    type: multiple_choice', '    text: Lesquels ?']);
  assertProblem(noChoices, { line: lineOf(noChoices, 'urn:t:q:1:'), path: 'objects.framework.requirement_nodes[0].questions["urn:t:q:1"]', message: /au moins un choix/ });

  const noFramework = 'urn: urn:t:library:x\nlocale: fr\nref_id: X\nname: X\nversion: 1\nobjects:\n  reference_controls: []\n';
  assertProblem(noFramework, { line: lineOf(noFramework, 'objects:'), path: 'objects.framework', message: /ne contient pas de référentiel/ });

  const reserved = HEAD + node('urn:t:n:1', ['removed: false']);
  assertProblem(reserved, { line: lineOf(reserved, 'removed: false'), path: 'objects.framework.requirement_nodes[0].removed', message: /réservée par Hygie/ });

  const notALibrary = '- une\n- liste\n';
  assertProblem(notALibrary, { line: 1, path: '(document)', message: /doit décrire une bibliothèque/ });
});

test('every problem is reported at once, in the order of the file', () => {
  const text = HEAD.replace('version: 1', 'version: 0') + GROUP + node('urn:t:n:1', [], { parent: 'urn:t:n:absent' }) + node('urn:t:n:1', [], { parent: 'urn:t:n:g', depth: 4 });
  const found = problems(text);
  assert.deepEqual(
    found.map((p) => p.path),
    ['version', 'objects.framework.requirement_nodes[1].parent_urn', 'objects.framework.requirement_nodes[2].urn', 'objects.framework.requirement_nodes[2].depth'],
  );
  const lines = found.map((p) => p.line!);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
});

test('unknown keys are kept, at every level, and exported', () => {
  const text =
    HEAD.replace('objects:', 'annotation_interne: bibliothèque\nobjects:\n  reference_controls:\n  - urn: urn:t:rc:1\n    name: Contrôle').replace('    requirement_nodes:', '    status: published\n    requirement_nodes:') +
    node('urn:t:n:1', ['reference_controls: [urn:t:rc:1]', 'weight: 2']);
  const lib = ok(text);
  assert.deepEqual(lib.nodes[0].extra, { reference_controls: ['urn:t:rc:1'], weight: 2 });
  assert.deepEqual(lib.framework.extra.framework, { status: 'published' });
  assert.deepEqual(lib.framework.extra.objects, { reference_controls: [{ urn: 'urn:t:rc:1', name: 'Contrôle' }] });
  const out = parseYaml(serializeLibrary(lib.framework, lib.nodes)) as Record<string, unknown>;
  assert.equal(out.annotation_interne, 'bibliothèque');
  assert.deepEqual((out.objects as Record<string, unknown>).reference_controls, [{ urn: 'urn:t:rc:1', name: 'Contrôle' }]);
});

test('nodes marked removed are left out of the export', () => {
  const lib = ok(HEAD + node('urn:t:n:1') + node('urn:t:n:2'));
  const text = serializeLibrary(lib.framework, [lib.nodes[0], { ...lib.nodes[1], extra: { removed: true } }]);
  assert.deepEqual(ok(text).nodes.map((n) => n.urn), ['urn:t:n:1']);
});

// --- Property: serialize ∘ parse is stable on generated small trees ---------------------------------

const CHARS = [...'abcdeéèàçœÉ XYZ019.:-#\'"{}[],&*!|>%@`?~\t\n'];
const tricky = fc.constantFrom('yes', 'No', 'on', '2026-01-15', '0o7', '1.0', '12', '~', 'null', 'true', '.5', '+1', '- a', 'a: b', ' lead', 'trail ', 'x\ny', 'x\n', '\n', '');
const anyText = fc.oneof(fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 24 }), tricky);
const someText = anyText.filter((s) => s.trim().length > 0);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const questionArb = (urn: string) =>
  fc.oneof(
    fc.record({
      type: fc.constantFrom('unique_choice', 'multiple_choice'),
      text: someText,
      choices: fc.array(fc.record({ value: anyText, add_score: maybe(fc.nat(3)) }, { requiredKeys: ['value'] }), { minLength: 1, maxLength: 3 }).map((cs) => cs.map((c, i) => ({ urn: `${urn}:choice:${i + 1}`, ...c }))),
    }),
    fc.record({ type: fc.constantFrom('text', 'date'), text: someText, depends_on: maybe(someText) }, { requiredKeys: ['type', 'text'] }),
  );

const libraryArb = fc
  .record({
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
    assessable: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
    fields: fc.array(
      fc.record(
        {
          ref_id: anyText,
          name: anyText,
          description: anyText,
          annotation: anyText,
          typical_evidence: anyText,
          implementation_groups: fc.subarray(['essentielle', 'recommandee', 'ght']),
          weight: fc.nat(5),
          hygie: fc.record(
            {
              maturity_levels: fc.array(fc.record({ level: fc.integer({ min: 0, max: 3 }), description: anyText }), { maxLength: 3 }),
              actions: fc.array(anyText, { maxLength: 3 }),
              sources: fc.array(fc.record({ title: anyText, url: maybe(someText) }, { requiredKeys: ['title'] }), { maxLength: 2 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      { minLength: 10, maxLength: 10 },
    ),
    questions: fc.array(fc.nat(2), { minLength: 10, maxLength: 10 }),
    questionSeeds: fc.array(fc.tuple(questionArb('Q1'), questionArb('Q2')), { minLength: 10, maxLength: 10 }),
    library: fc.record(
      {
        ref_id: someText,
        name: someText,
        description: anyText,
        copyright: anyText,
        version: fc.integer({ min: 1, max: 999 }),
        publication_date: fc.constantFrom('2024-05-10', '2026-11-24'),
        provider: anyText,
        packager: anyText,
        dependencies: fc.array(someText, { maxLength: 2 }),
        translations: fc.record({ en: fc.record({ name: anyText }) }),
        kind: fc.constantFrom('referentiel', 'express'),
      },
      { requiredKeys: ['ref_id', 'name', 'version'] },
    ),
    framework: fc.record({ ref_id: someText, name: someText, description: maybe(anyText), min: fc.integer({ min: 0, max: 2 }), span: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: ['ref_id', 'name', 'min', 'span'] }),
    scoreNames: fc.array(someText, { maxLength: 4 }),
    groups: fc.array(fc.record({ name: someText, description: maybe(anyText) }, { requiredKeys: ['name'] }), { maxLength: 3 }),
  })
  .map((g) => {
    const depth: number[] = [];
    const nodes = g.parents.map((choice, i) => {
      const p = choice % (i + 1); // p === i: a root; else the parent is an earlier node
      depth[i] = p === i ? 1 : depth[p] + 1;
      const urn = `urn:t:n:${i}`;
      const [q1, q2] = g.questionSeeds[i];
      const questions = [q1, q2].slice(0, g.questions[i]).map((q, k) => {
        const qUrn = `${urn}:question:${k + 1}`;
        const withUrns = 'choices' in q && q.choices ? { ...q, choices: q.choices.map((c, j) => ({ ...c, urn: `${qUrn}:choice:${j + 1}` })) } : q;
        return [qUrn, withUrns] as const;
      });
      return {
        urn,
        assessable: g.assessable[i] || i === g.parents.length - 1,
        depth: depth[i],
        ...(p === i ? {} : { parent_urn: `urn:t:n:${p}` }),
        ...g.fields[i],
        ...(questions.length ? { questions: Object.fromEntries(questions) } : {}),
      };
    });
    const { kind, ...library } = g.library;
    const min = g.framework.min;
    const max = min + g.framework.span;
    return {
      urn: 'urn:t:library:gen',
      locale: 'fr',
      ...library,
      ...(kind ? { hygie: { kind } } : {}),
      objects: {
        framework: {
          urn: 'urn:t:framework:gen',
          ref_id: g.framework.ref_id,
          name: g.framework.name,
          ...(g.framework.description !== undefined ? { description: g.framework.description } : {}),
          min_score: min,
          max_score: max,
          scores_definition: g.scoreNames.map((name, i) => ({ score: Math.min(min + i, max), name })),
          implementation_groups_definition: g.groups.map((gr, i) => ({ ref_id: `g${i}`, ...gr })),
          requirement_nodes: nodes.map((n) => (n.hygie?.maturity_levels ? { ...n, hygie: { ...n.hygie, maturity_levels: n.hygie.maturity_levels.map((l) => ({ ...l, level: Math.min(Math.max(l.level, min), max) })) } } : n)),
        },
      },
    };
  });

test('property: serialize ∘ parse is stable on generated small trees', () => {
  fc.assert(
    fc.property(libraryArb, (raw) => {
      // yaml's block scalars lose a first line made only of spaces: the input is written with quoted strings.
      const first = ok(stringify(raw, { blockQuote: false }));
      assert.equal(first.nodes.length, raw.objects.framework.requirement_nodes.length);
      first.nodes.forEach((n, i) => {
        const source = raw.objects.framework.requirement_nodes[i] as { name?: string; implementation_groups?: string[] };
        assert.equal(n.name, source.name ?? null);
        assert.equal(n.priority, source.implementation_groups?.includes('essentielle') ? 'essential' : source.implementation_groups?.includes('recommandee') ? 'recommended' : null);
      });
      const text = serializeLibrary(first.framework, first.nodes);
      const again = ok(text);
      assert.deepEqual(again, first);
      assert.equal(serializeLibrary(again.framework, again.nodes), text);
    }),
    { numRuns: 150 },
  );
});
