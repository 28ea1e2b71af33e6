import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import { z } from 'zod';
import type { NodeQuestion } from './schema';

/**
 * CISO Assistant's library format, as pure functions: parse (with the line of every problem),
 * validate, and serialize back. One library holds one framework and its flat list of
 * requirement nodes (parent_urn / depth / assessable).
 *
 * Accepted shapes:
 * - the library: urn, locale, ref_id, name, version (required); description, copyright,
 *   publication_date, provider, packager, dependencies; `objects.framework` (required) with
 *   urn, ref_id, name, description, min_score, max_score (CISO Assistant's defaults 0 and 100
 *   when absent), scores_definition, implementation_groups_definition, requirement_nodes;
 * - a node's questions in the current shape (a mapping question URN → {type, text, choices})
 *   and in the older one (`question: {question_type, question_choices, questions: [{urn, text}]}`,
 *   choice URNs then made as `<question urn>:choice:<n>`, as CISO Assistant numbers them);
 *   `single_choice` is read as `unique_choice`. Export always writes the current shape;
 * - Hygie's `hygie:` blocks: on the library `kind: referentiel | express`; on a node
 *   `maturity_levels`, `actions`, `sources`. A node whose implementation_groups holds
 *   `essentielle` (or else `recommandee`) gets the priority essential (or recommended).
 *
 * Nothing is lost: keys Hygie does not map are kept in `extra` and written back on export.
 * Framework `extra`: `library` (the library's own ref_id, name, description,
 * publication_date, packager, dependencies and unknown keys), `objects` (objects other than
 * the framework), `framework` (unknown framework keys), `hygie` (unknown keys of its
 * `hygie:` block), `scoresDefinition` / `implementationGroupsDefinition` (unknown keys of
 * each entry, by position). Node `extra`: the unknown node keys as they are, plus
 * `questions` (unknown keys of each question and choice, by URN) and `hygie` (unknown keys
 * of its `hygie:` block). The service adds `removed: true` to a node a newer version dropped.
 */

export type FrameworkKind = 'referentiel' | 'express' | 'other';
export type Priority = 'essential' | 'recommended';
type Extra = Record<string, unknown>;

export interface LibraryFramework {
  libraryUrn: string;
  urn: string;
  refId: string;
  name: string;
  description: string | null;
  version: number;
  locale: string;
  provider: string | null;
  copyright: string | null;
  kind: FrameworkKind;
  minScore: number;
  maxScore: number;
  scoresDefinition: { score: number; name: string; description?: string }[];
  implementationGroups: { refId: string; name: string; description?: string }[];
  extra: Extra;
}

export interface LibraryNode {
  urn: string;
  parentUrn: string | null;
  refId: string | null;
  name: string | null;
  description: string | null;
  annotation: string | null;
  typicalEvidence: string | null;
  depth: number;
  assessable: boolean;
  position: number;
  implementationGroups: string[];
  priority: Priority | null;
  maturityLevels: { level: number; description: string }[] | null;
  suggestedActions: string[] | null;
  sources: { title: string; url?: string }[] | null;
  questions: NodeQuestion[] | null;
  extra: Extra;
}

export interface ParsedLibrary {
  framework: LibraryFramework;
  nodes: LibraryNode[];
}

/** One problem of a file: its line (1-based) when known, where, and what to fix, in French. */
export interface LibraryProblem {
  line: number | null;
  path: string;
  message: string;
}

export type ParseResult = { ok: true; library: ParsedLibrary } | { ok: false; problems: LibraryProblem[] };

/** Past this many, the rest are summed up in one last problem. */
const MAX_PROBLEMS = 200;
export const ESSENTIAL_GROUP = 'essentielle';
export const RECOMMENDED_GROUP = 'recommandee';
const QUESTION_TYPES = ['unique_choice', 'multiple_choice', 'text', 'date'] as const;
const CHOICE_TYPES = new Set<string>(['unique_choice', 'multiple_choice']);

// --- The shape, checked by zod (French messages are made from the issues below) ----------

/** Text where YAML may have read a number (ref_id: 1.2): kept as written. */
const text = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string());
const optText = text.nullish();
const int = z.number().int();

const choiceSchema = z.looseObject({ urn: text.pipe(z.string().min(1)), value: text });
const questionSchema = z.looseObject({
  type: z.preprocess((v) => (v === 'single_choice' ? 'unique_choice' : v), z.enum(QUESTION_TYPES)),
  text,
  choices: z.array(choiceSchema).nullish(),
});
const legacyQuestionItem = z.looseObject({
  urn: text.pipe(z.string().min(1)),
  text,
  type: z.preprocess((v) => (v === 'single_choice' ? 'unique_choice' : v), z.enum(QUESTION_TYPES)).optional(),
  choices: z.array(choiceSchema).nullish(),
});
const legacyQuestion = z.looseObject({
  question_type: z.preprocess((v) => (v === 'single_choice' ? 'unique_choice' : v), z.enum(QUESTION_TYPES)).optional(),
  question_choices: z.array(text).nullish(),
  questions: z.array(legacyQuestionItem).nullish(),
});

const nodeHygieSchema = z.looseObject({
  maturity_levels: z.array(z.looseObject({ level: int, description: text })).nullish(),
  actions: z.array(text).nullish(),
  sources: z.array(z.looseObject({ title: text, url: optText })).nullish(),
});

const nodeSchema = z.looseObject({
  urn: text.pipe(z.string().min(1)),
  parent_urn: optText,
  ref_id: optText,
  name: optText,
  description: optText,
  annotation: optText,
  typical_evidence: optText,
  depth: int.min(1),
  assessable: z.boolean(),
  implementation_groups: z.array(text).nullish(),
  questions: z.union([z.record(z.string(), questionSchema), z.array(legacyQuestionItem)]).nullish(),
  question: legacyQuestion.nullish(),
  hygie: nodeHygieSchema.nullish(),
});

const frameworkSchema = z.looseObject({
  urn: text.pipe(z.string().min(1)),
  ref_id: optText,
  name: text.pipe(z.string().min(1)),
  description: optText,
  min_score: int.nullish(),
  max_score: int.nullish(),
  scores_definition: z.array(z.looseObject({ score: int, name: text, description: optText })).nullish(),
  implementation_groups_definition: z.array(z.looseObject({ ref_id: text.pipe(z.string().min(1)), name: optText, description: optText })).nullish(),
  requirement_nodes: z.array(z.unknown()),
});

const librarySchema = z.looseObject({
  urn: text.pipe(z.string().min(1)),
  locale: text.pipe(z.string().min(1)),
  ref_id: text.pipe(z.string().min(1)),
  name: text.pipe(z.string().min(1)),
  description: optText,
  copyright: optText,
  version: z.unknown(),
  publication_date: z.unknown().optional(),
  provider: optText,
  packager: optText,
  dependencies: z.array(text).nullish(),
  hygie: z.looseObject({ kind: z.enum(['referentiel', 'express']).nullish() }).nullish(),
  objects: z.looseObject({ framework: frameworkSchema }),
});

type RawNode = z.infer<typeof nodeSchema>;
type RawLibrary = z.infer<typeof librarySchema>;
type RawFramework = z.infer<typeof frameworkSchema>;

const LIBRARY_KEYS = ['urn', 'locale', 'ref_id', 'name', 'description', 'copyright', 'version', 'publication_date', 'provider', 'packager', 'dependencies', 'hygie', 'objects'];
const FRAMEWORK_KEYS = ['urn', 'ref_id', 'name', 'description', 'min_score', 'max_score', 'scores_definition', 'implementation_groups_definition', 'requirement_nodes'];
/** Library keys with no column of their own: kept in `extra.library`. */
const LIBRARY_ONLY_KEYS = ['ref_id', 'name', 'description', 'publication_date', 'packager', 'dependencies'];
const NODE_KEYS = ['urn', 'parent_urn', 'ref_id', 'name', 'description', 'annotation', 'typical_evidence', 'depth', 'assessable', 'implementation_groups', 'questions', 'question', 'hygie'];

// --- Paths, lines and French messages ----------------------------------------------------

type Path = readonly (string | number)[];
const NODES_PATH = ['objects', 'framework', 'requirement_nodes'] as const;

/** `objects.framework.requirement_nodes[3].urn`; a key with dots or colons is quoted. */
export function formatPath(path: Path): string {
  if (path.length === 0) return '(document)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `["${seg}"]`;
  }
  return out;
}

/** The line of the deepest part of `path` present in the document: a key's line, an item's first line. */
function lineOf(doc: Document, lc: LineCounter, path: Path): number | null {
  let node: unknown = doc.contents;
  let offset: number | null = startOf(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item == null) break;
      offset = startOf(item) ?? offset;
      node = item;
    } else break;
  }
  return offset === null ? null : lc.linePos(offset).line;
}

function startOf(node: unknown): number | null {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : null;
}

const EXPECTED: Record<string, string> = {
  string: 'du texte',
  number: 'un nombre',
  int: 'un nombre entier',
  boolean: 'true ou false',
  array: 'une liste',
  object: 'un ensemble de clés (clé: valeur)',
  record: 'un ensemble de clés (clé: valeur)',
};

function describeValue(v: unknown): string {
  if (v === null) return 'vide';
  if (Array.isArray(v)) return 'une liste';
  if (typeof v === 'object') return 'un ensemble de clés';
  if (typeof v === 'string') return `« ${v.length > 40 ? `${v.slice(0, 40)}…` : v} »`;
  return `« ${String(v)} »`;
}

function issueMessage(issue: Issue): string {
  const key = [...issue.path].reverse().find((s) => typeof s === 'string');
  const field = key ? `« ${String(key)} »` : 'Cette valeur';
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (!('input' in issue) || input === undefined) return key ? `Le champ ${field} est obligatoire.` : 'Valeur obligatoire manquante.';
      return `${field} doit être ${EXPECTED[issue.expected] ?? issue.expected}, pas ${describeValue(input)}.`;
    case 'too_small':
      if (issue.origin === 'string') return `Le champ ${field} ne doit pas être vide.`;
      return `${field} doit valoir au moins ${String(issue.minimum)}.`;
    case 'too_big':
      return `${field} doit valoir au plus ${String(issue.maximum)}.`;
    case 'invalid_value':
      return `Valeur ${describeValue(input)} inconnue pour ${field} : valeurs possibles ${issue.values.map((v) => String(v)).join(', ')}.`;
    case 'invalid_union':
      if (key === 'questions') return 'Les questions doivent être un ensemble « URN de la question: {type, text, choices} » (ou, format ancien, une liste).';
      return `${field} n’a pas une forme reconnue.`;
    default:
      return `${field} est invalide.`;
  }
}

const INDENT = 'Indentation incorrecte : alignez cette ligne sur les clés de même niveau, avec des espaces (un « - » commence chaque élément de liste).';
const YAML_MESSAGES: Partial<Record<YAMLError['code'], string>> = {
  BAD_INDENT: INDENT,
  TAB_AS_INDENT: 'Tabulation utilisée pour indenter : le YAML n’accepte que des espaces.',
  DUPLICATE_KEY: 'Clé en double : chaque clé ne peut apparaître qu’une fois au même niveau.',
  MISSING_CHAR: 'Caractère manquant : un guillemet, un crochet ou une accolade n’est pas refermé.',
  MULTILINE_IMPLICIT_KEY: 'Ligne mal formée : il manque sans doute « : » après la clé, ou un guillemet fermant, ou l’indentation est incorrecte.',
  BLOCK_AS_IMPLICIT_KEY: 'Indentation incorrecte : cette ligne est plus indentée que les clés de même niveau (ou il manque un « - »).',
  BAD_SCALAR_START: 'Valeur mal commencée : mettez-la entre guillemets (elle commence par un caractère réservé).',
  UNEXPECTED_TOKEN: 'Élément inattendu à cet endroit : vérifiez l’indentation et les « : ».',
  BAD_DQ_ESCAPE: 'Séquence d’échappement invalide dans un texte entre guillemets doubles.',
  MULTIPLE_DOCS: 'Le fichier contient plusieurs documents YAML (« --- ») : une bibliothèque tient en un seul.',
  BAD_ALIAS: 'Référence (alias « * ») inconnue.',
  RESOURCE_EXHAUSTION: 'Le fichier utilise trop de références (alias) : il est refusé par sécurité.',
  KEY_OVER_1024_CHARS: 'Clé trop longue (plus de 1 024 caractères).',
  BLOCK_IN_FLOW: 'Un bloc ne peut pas apparaître dans une liste entre crochets ou un ensemble entre accolades.',
};

/** Where to look: for a quote never closed, the line that opened it (the error is found at the end). */
function yamlErrorLine(doc: Document, lc: LineCounter, e: YAMLError): number | null {
  if (e.code === 'MISSING_CHAR' && /quote/i.test(e.message)) {
    let opened: number | null = null;
    visit(doc, {
      Scalar(_, node) {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[1] === e.pos[0]) opened = node.range[0];
      },
    });
    if (opened !== null) return lc.linePos(opened).line;
  }
  return e.linePos?.[0]?.line ?? null;
}

/** The yaml library's codes are broad: its (English) message tells which mistake it is. */
function yamlMessage(e: YAMLError): string {
  if (e.code === 'MISSING_CHAR') {
    if (/without - indicator/.test(e.message)) return INDENT;
    if (/followed by map values/.test(e.message)) return 'Il manque « : » après la clé (écrivez « clé: valeur »).';
    if (/quote/i.test(e.message)) return 'Guillemet non refermé : le texte commencé par un guillemet doit se terminer par le même guillemet.';
    if (/flow|[\]}]/i.test(e.message)) return 'Crochet ou accolade non refermé : une liste « [ » se ferme par « ] », un ensemble « { » par « } ».';
  }
  return YAML_MESSAGES[e.code] ?? 'Syntaxe YAML invalide à cet endroit.';
}

// --- Parse -----------------------------------------------------------------------------------

/** Reads a library file: the library, or every problem found, each with its line. */
export function parseLibrary(source: string): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Only the first: the next ones are most often its consequences, and would mislead.
    const [first] = doc.errors;
    return { ok: false, problems: [{ line: yamlErrorLine(doc, lc, first), path: '(syntaxe YAML)', message: yamlMessage(first) }] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return { ok: false, problems: [{ line: null, path: '(syntaxe YAML)', message: YAML_MESSAGES.RESOURCE_EXHAUSTION as string }] };
  }

  const problems: LibraryProblem[] = [];
  const report = (path: Path, message: string) => problems.push({ line: lineOf(doc, lc, path), path: formatPath(path), message });

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    report([], 'Le fichier doit décrire une bibliothèque : des clés « urn », « name », « version », « objects »…');
    return { ok: false, problems };
  }
  const top = librarySchema.safeParse(data, { reportInput: true });
  if (!top.success) {
    for (const issue of expand(top.error.issues)) {
      const missingFramework = issue.path.length === 2 && issue.path[0] === 'objects' && issue.path[1] === 'framework' && (issue as { input?: unknown }).input === undefined;
      report(issue.path, missingFramework ? 'La bibliothèque ne contient pas de référentiel (objects.framework) : Hygie n’importe que des référentiels.' : issueMessage(issue));
    }
  }
  const rawFramework = (data as { objects?: { framework?: unknown } }).objects?.framework;
  const nodeList = (rawFramework as { requirement_nodes?: unknown } | undefined)?.requirement_nodes;
  const rawNodes: (RawNode | null)[] = [];
  if (Array.isArray(nodeList)) {
    nodeList.forEach((n, i) => {
      const r = nodeSchema.safeParse(n, { reportInput: true });
      if (r.success) rawNodes.push(r.data);
      else {
        rawNodes.push(null);
        for (const issue of expand(r.error.issues)) report([...NODES_PATH, i, ...issue.path], issueMessage(issue));
      }
    });
  }
  const version = (data as { version?: unknown }).version;
  if (!(typeof version === 'number' && Number.isInteger(version) && version > 0)) {
    report(
      ['version'],
      version === undefined || version === null
        ? 'Le champ « version » est obligatoire : un nombre entier positif (1, 2, 3…).'
        : `La version doit être un nombre entier positif (1, 2, 3…), pas ${describeValue(version)}.`,
    );
  }
  // The rules between nodes are checked even when another part of the file is wrong: every problem at once.
  const framework = top.success ? top.data.objects.framework : (frameworkSchema.safeParse(rawFramework).data ?? null);
  if (Array.isArray(nodeList)) checkRules(framework, rawNodes, report);
  if (problems.length > 0 || !top.success) return { ok: false, problems: cap(sortProblems(problems)) };
  return { ok: true, library: toLibrary(top.data, rawNodes as RawNode[]) };
}

type Issue = z.core.$ZodIssue & { path: (string | number)[] };

/** A failed choice between shapes is told by the issues of the shape the value was meant to have. */
function expand(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'invalid_union' && issue.errors.length === 2 && 'input' in issue) {
      const input = (issue as { input?: unknown }).input;
      const branch = issue.errors[Array.isArray(input) ? 1 : 0];
      if (input !== null && typeof input === 'object' && branch.length > 0) return expand(branch, path);
    }
    return [{ ...issue, path }];
  });
}

function sortProblems(problems: LibraryProblem[]): LibraryProblem[] {
  return problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i).map(({ p }) => p);
}

function cap(problems: LibraryProblem[]): LibraryProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), { line: null, path: '(document)', message: `… et ${rest} autre(s) erreur(s) : corrigez les premières puis réessayez.` }];
}

/** The rules beyond the shape: unique URNs, known parents, consistent depths, scales. */
function checkRules(fw: RawFramework | null, nodes: (RawNode | null)[], report: (path: Path, message: string) => void) {
  const minScore = fw?.min_score ?? 0;
  const maxScore = fw?.max_score ?? 100;
  if (minScore > maxScore) report(['objects', 'framework', 'max_score'], `Le score maximal (${maxScore}) doit être supérieur ou égal au score minimal (${minScore}).`);
  // Without a readable framework, the scale is unknown: levels and scores are not checked against it.
  const inScale = (v: number) => !fw || (v >= minScore && v <= maxScore);
  (fw?.scores_definition ?? []).forEach((s, i) => {
    if (!inScale(s.score)) report(['objects', 'framework', 'scores_definition', i, 'score'], `Le score ${s.score} sort de l’échelle du référentiel (de ${minScore} à ${maxScore}).`);
  });

  const firstIndex = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (!n) return;
    const seen = firstIndex.get(n.urn);
    if (seen === undefined) firstIndex.set(n.urn, i);
    else report([...NODES_PATH, i, 'urn'], `L’URN « ${n.urn} » est déjà celle du nœud n° ${seen + 1} : chaque nœud doit avoir une URN unique.`);
  });
  const byUrn = new Map<string, RawNode>();
  for (const n of nodes) if (n && !byUrn.has(n.urn)) byUrn.set(n.urn, n);

  nodes.forEach((n, i) => {
    if (!n) return;
    const at = (...rest: (string | number)[]) => [...NODES_PATH, i, ...rest];
    if (n.parent_urn) {
      const parent = byUrn.get(n.parent_urn);
      if (n.parent_urn === n.urn) report(at('parent_urn'), 'Un nœud ne peut pas être son propre parent.');
      else if (!parent) report(at('parent_urn'), `Le parent « ${n.parent_urn} » n’existe pas : aucun nœud de la bibliothèque n’a cette URN.`);
      else if (n.depth !== parent.depth + 1) report(at('depth'), `La profondeur doit être ${parent.depth + 1} : celle du parent (${parent.depth}) plus 1, pas ${n.depth}.`);
    } else if (n.depth !== 1) {
      report(at('depth'), `Un nœud sans parent (parent_urn) est au premier niveau : sa profondeur doit être 1, pas ${n.depth}.`);
    }
    if ('removed' in n) report(at('removed'), 'La clé « removed » est réservée par Hygie (elle marque les exigences retirées par une nouvelle version) : renommez-la.');
    for (const [j, level] of (n.hygie?.maturity_levels ?? []).entries()) {
      if (!inScale(level.level)) report(at('hygie', 'maturity_levels', j, 'level'), `Le niveau ${level.level} sort de l’échelle du référentiel (de ${minScore} à ${maxScore}).`);
    }
    for (const q of questionsOf(n)) {
      if (CHOICE_TYPES.has(q.question.type) && q.question.choices.length === 0) report(at(...q.path), 'Une question à choix doit proposer au moins un choix (choices).');
      const seen = new Set<string>();
      q.question.choices.forEach((c, k) => {
        if (seen.has(c.urn)) report(at(...q.choicesPath, k, 'urn'), `Le choix « ${c.urn} » apparaît deux fois dans cette question.`);
        seen.add(c.urn);
      });
    }
  });
  if (nodes.length > 0 && nodes.every((n) => n !== null) && !nodes.some((n) => n!.assessable)) {
    report([...NODES_PATH], 'Le référentiel doit contenir au moins une exigence évaluable (assessable: true).');
  } else if (nodes.length === 0) {
    report([...NODES_PATH], 'Le référentiel ne contient aucune exigence (requirement_nodes est vide).');
  }
}

interface ReadQuestion {
  question: NodeQuestion;
  extra: Extra;
  choiceExtras: Record<string, Extra>;
  /** where the question is, relative to its node (for problems) */
  path: (string | number)[];
  choicesPath: (string | number)[];
}

/** A node's questions in one shape, whichever shape the file used. */
function questionsOf(n: RawNode): ReadQuestion[] {
  const read = (choices: z.infer<typeof choiceSchema>[]) => ({
    choices: choices.map((c) => ({ urn: c.urn, value: c.value })),
    choiceExtras: Object.fromEntries(choices.map((c) => [c.urn, omit(c, ['urn', 'value'])]).filter(([, e]) => Object.keys(e as Extra).length > 0)),
  });
  if (n.questions && !Array.isArray(n.questions)) {
    return Object.entries(n.questions).map(([urn, q]) => {
      const { choices, choiceExtras } = read(q.choices ?? []);
      return { question: { urn, type: q.type, text: q.text, choices }, extra: omit(q, ['type', 'text', 'choices']), choiceExtras, path: ['questions', urn], choicesPath: ['questions', urn, 'choices'] };
    });
  }
  // The older shape: the type and choice texts in `question`, the question texts in a list.
  const legacy = n.question;
  const list = Array.isArray(n.questions) ? n.questions : (legacy?.questions ?? []);
  const listPath = Array.isArray(n.questions) ? ['questions'] : ['question', 'questions'];
  return list.map((q, i) => {
    const type = q.type ?? legacy?.question_type ?? 'text';
    const own = q.choices ? read(q.choices) : null;
    const choices = own?.choices ?? (CHOICE_TYPES.has(type) ? (legacy?.question_choices ?? []).map((value, k) => ({ urn: `${q.urn}:choice:${k + 1}`, value })) : []);
    return { question: { urn: q.urn, type, text: q.text, choices }, extra: omit(q, ['urn', 'text', 'type', 'choices']), choiceExtras: own?.choiceExtras ?? {}, path: [...listPath, i], choicesPath: [...listPath, i, 'choices'] };
  });
}

function omit(o: object, keys: readonly string[]): Extra {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => !keys.includes(k) && v !== undefined));
}

const nullable = (v: string | null | undefined): string | null => (v === undefined || v === null ? null : v);

export function priorityOf(groups: readonly string[]): Priority | null {
  if (groups.includes(ESSENTIAL_GROUP)) return 'essential';
  if (groups.includes(RECOMMENDED_GROUP)) return 'recommended';
  return null;
}

function toLibrary(lib: RawLibrary, rawNodes: RawNode[]): ParsedLibrary {
  const fw = lib.objects.framework;
  const extra: Extra = {};
  // The library's own values with no column (its ref_id, name and description may differ from the framework's).
  const library = omit(lib, LIBRARY_KEYS.filter((k) => !LIBRARY_ONLY_KEYS.includes(k)));
  for (const k of LIBRARY_ONLY_KEYS) if (library[k] === null) delete library[k];
  extra.library = library;
  const objects = omit(lib.objects, ['framework']);
  if (Object.keys(objects).length) extra.objects = objects;
  const fwExtra = omit(fw, FRAMEWORK_KEYS);
  if (Object.keys(fwExtra).length) extra.framework = fwExtra;
  const hygieExtra = lib.hygie ? omit(lib.hygie, ['kind']) : {};
  if (Object.keys(hygieExtra).length) extra.hygie = hygieExtra;
  const scores = fw.scores_definition ?? [];
  const scoreExtras = scores.map((s) => omit(s, ['score', 'name', 'description']));
  if (scoreExtras.some((e) => Object.keys(e).length)) extra.scoresDefinition = scoreExtras;
  const groups = fw.implementation_groups_definition ?? [];
  const groupExtras = groups.map((g) => omit(g, ['ref_id', 'name', 'description']));
  if (groupExtras.some((e) => Object.keys(e).length)) extra.implementationGroupsDefinition = groupExtras;

  const framework: LibraryFramework = {
    libraryUrn: lib.urn,
    urn: fw.urn,
    refId: fw.ref_id ?? lib.ref_id,
    name: fw.name,
    description: nullable(fw.description),
    version: lib.version as number,
    locale: lib.locale,
    provider: nullable(lib.provider),
    copyright: nullable(lib.copyright),
    kind: lib.hygie?.kind ?? 'other',
    minScore: fw.min_score ?? 0,
    maxScore: fw.max_score ?? 100,
    scoresDefinition: scores.map((s) => ({ score: s.score, name: s.name, ...(s.description != null ? { description: s.description } : {}) })),
    implementationGroups: groups.map((g) => ({ refId: g.ref_id, name: g.name ?? g.ref_id, ...(g.description != null ? { description: g.description } : {}) })),
    extra,
  };

  const nodes = rawNodes.map((n, position): LibraryNode => {
    const nodeExtra: Extra = omit(n, NODE_KEYS);
    const read = n.questions || n.question ? questionsOf(n) : null;
    if (read) {
      const qExtras: Extra = {};
      for (const q of read) {
        const e: Extra = { ...q.extra };
        if (Object.keys(q.choiceExtras).length) e.choices = q.choiceExtras;
        if (Object.keys(e).length) qExtras[q.question.urn] = e;
      }
      if (Object.keys(qExtras).length) nodeExtra.questions = qExtras;
    }
    const hygie = n.hygie;
    const hExtra = hygie ? omit(hygie, ['maturity_levels', 'actions', 'sources']) : {};
    if (Object.keys(hExtra).length) nodeExtra.hygie = hExtra;
    const implementationGroups = n.implementation_groups ?? [];
    return {
      urn: n.urn,
      parentUrn: nullable(n.parent_urn),
      refId: nullable(n.ref_id),
      name: nullable(n.name),
      description: nullable(n.description),
      annotation: nullable(n.annotation),
      typicalEvidence: nullable(n.typical_evidence),
      depth: n.depth,
      assessable: n.assessable,
      position,
      implementationGroups,
      priority: priorityOf(implementationGroups),
      maturityLevels: hygie?.maturity_levels ? hygie.maturity_levels.map((l) => ({ level: l.level, description: l.description })) : null,
      suggestedActions: hygie?.actions ?? null,
      sources: hygie?.sources ? hygie.sources.map((s) => ({ title: s.title, ...(s.url != null ? { url: s.url } : {}) })) : null,
      questions: read ? read.map((q) => q.question) : null,
      extra: nodeExtra,
    };
  });
  return { framework, nodes };
}

// --- Serialize -------------------------------------------------------------------------------

const obj = (v: unknown): Extra => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Extra) : {});
/** Adds `value` under `key` unless it is absent. */
function put(target: Extra, key: string, value: unknown) {
  if (value !== undefined && value !== null) target[key] = value;
}

/**
 * Writes a framework and its nodes (in the given order; rows of the frameworks and nodes tables fit) back to CISO Assistant's format,
 * with Hygie's `hygie:` blocks and every key kept in `extra`. Nodes marked removed are left out.
 */
export function serializeLibrary(framework: LibraryFramework, nodes: readonly LibraryNode[]): string {
  const x = obj(framework.extra);
  // A framework read from a file keeps its library's own values; any other takes the framework's.
  const lib: Extra = x.library !== undefined ? obj(x.library) : { ref_id: framework.refId, name: framework.name, description: framework.description };
  const out: Extra = {};
  out.urn = framework.libraryUrn;
  out.locale = framework.locale;
  out.ref_id = lib.ref_id ?? framework.refId;
  out.name = lib.name ?? framework.name;
  put(out, 'description', lib.description);
  put(out, 'copyright', framework.copyright);
  out.version = framework.version;
  put(out, 'publication_date', lib.publication_date);
  put(out, 'provider', framework.provider);
  put(out, 'packager', lib.packager);
  put(out, 'dependencies', lib.dependencies);
  const hygie: Extra = { ...(framework.kind !== 'other' ? { kind: framework.kind } : {}), ...obj(x.hygie) };
  if (Object.keys(hygie).length) out.hygie = hygie;
  for (const [k, v] of Object.entries(lib)) if (!(k in out) && !LIBRARY_ONLY_KEYS.includes(k)) out[k] = v;

  const fw: Extra = {};
  fw.urn = framework.urn;
  fw.ref_id = framework.refId;
  fw.name = framework.name;
  put(fw, 'description', framework.description);
  fw.min_score = framework.minScore;
  fw.max_score = framework.maxScore;
  const scoreExtras = Array.isArray(x.scoresDefinition) ? (x.scoresDefinition as unknown[]) : [];
  if (framework.scoresDefinition.length) {
    fw.scores_definition = framework.scoresDefinition.map((s, i) => ({ score: s.score, name: s.name, ...(s.description !== undefined ? { description: s.description } : {}), ...obj(scoreExtras[i]) }));
  }
  const groupExtras = Array.isArray(x.implementationGroupsDefinition) ? (x.implementationGroupsDefinition as unknown[]) : [];
  if (framework.implementationGroups.length) {
    fw.implementation_groups_definition = framework.implementationGroups.map((g, i) => ({ ref_id: g.refId, name: g.name, ...(g.description !== undefined ? { description: g.description } : {}), ...obj(groupExtras[i]) }));
  }
  for (const [k, v] of Object.entries(obj(x.framework))) if (!(k in fw)) fw[k] = v;
  fw.requirement_nodes = nodes.filter((n) => obj(n.extra).removed !== true).map(serializeNode);
  out.objects = { framework: fw, ...obj(x.objects) };

  const doc = new Document(out);
  // Quote what YAML 1.1 readers (CISO Assistant reads with PyYAML) would not take as text.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && (AMBIGUOUS_IN_YAML_1_1.test(node.value) || LEADING_SPACE_MULTILINE.test(node.value))) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** A block scalar cannot keep leading white space on its first line: such text is double-quoted. */
const LEADING_SPACE_MULTILINE = /^[ \t][^]*\n/;
const AMBIGUOUS_IN_YAML_1_1 = /^(?:[-+.~\d]|(?:y|yes|n|no|true|false|on|off|null)$)/i;

function serializeNode(n: LibraryNode): Extra {
  const extra = { ...obj(n.extra) };
  const qExtras = obj(extra.questions);
  const hygieExtra = obj(extra.hygie);
  delete extra.questions;
  delete extra.hygie;
  delete extra.removed;
  const out: Extra = { urn: n.urn, assessable: n.assessable, depth: n.depth };
  put(out, 'parent_urn', n.parentUrn);
  put(out, 'ref_id', n.refId);
  put(out, 'name', n.name);
  put(out, 'description', n.description);
  put(out, 'annotation', n.annotation);
  put(out, 'typical_evidence', n.typicalEvidence);
  const groups = [...n.implementationGroups];
  if (n.priority === 'essential' && !groups.includes(ESSENTIAL_GROUP)) groups.push(ESSENTIAL_GROUP);
  if (n.priority === 'recommended' && !groups.includes(RECOMMENDED_GROUP) && !groups.includes(ESSENTIAL_GROUP)) groups.push(RECOMMENDED_GROUP);
  if (groups.length) out.implementation_groups = groups;
  if (n.questions && n.questions.length) {
    out.questions = Object.fromEntries(
      n.questions.map((q) => {
        const qx = obj(qExtras[q.urn]);
        const cx = obj(qx.choices);
        const rest = omit(qx, ['choices']);
        const body: Extra = { type: q.type, text: q.text };
        if (q.choices.length) body.choices = q.choices.map((c) => ({ urn: c.urn, value: c.value, ...obj(cx[c.urn]) }));
        return [q.urn, { ...body, ...rest }];
      }),
    );
  }
  const hygie: Extra = {};
  if (n.maturityLevels) hygie.maturity_levels = n.maturityLevels.map((l) => ({ level: l.level, description: l.description }));
  if (n.suggestedActions) hygie.actions = [...n.suggestedActions];
  if (n.sources) hygie.sources = n.sources.map((s) => ({ title: s.title, ...(s.url !== undefined ? { url: s.url } : {}) }));
  Object.assign(hygie, hygieExtra);
  if (Object.keys(hygie).length) out.hygie = hygie;
  for (const [k, v] of Object.entries(extra)) if (!(k in out)) out[k] = v;
  return out;
}
