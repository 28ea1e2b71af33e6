import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { FrameworkDetail, FrameworkNode, FrameworkSummary, ImportPreview } from '../../../contracts/assessment';
import { requireAccess, type Actor } from '../../platform/access/engine';
import { appendAudit, type AuditEvent } from '../../platform/audit/service';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { AppError, conflict, notFound } from '../../platform/http/errors';
import { formatPath, parseLibrary, serializeLibrary, type LibraryNode, type LibraryProblem, type ParsedLibrary } from './library';
import { assessmentPolicy as policy } from './policy';
import { activeNode, assessments, frameworkNodes, frameworks } from './schema';
import { refreshScores } from './service';

/** Hygie's own frameworks (référentiel, diagnostic express), synchronised at start-up. */
export const CONTENT_FRAMEWORKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../content/frameworks');

/** Imports and start-up synchronisation of the same library take turns (several processes may start together). */
const IMPORT_LOCK = 7245003;
const INSERT_CHUNK = 500;

type FrameworkRow = typeof frameworks.$inferSelect;
type NodeRow = typeof frameworkNodes.$inferSelect;


/** A file refused: 400 with one field per problem ("ligne N: path") and the same list, structured, in `preview.problems`. */
export class LibraryInvalidError extends AppError {
  constructor(public readonly preview: ImportPreview) {
    const fields = preview.problems.map((p) => ({ path: p.line === null ? p.path : `ligne ${p.line}: ${p.path}`, message: p.message }));
    super(400, 'validation', fields.length === 1 ? `Le fichier contient une erreur : ${fields[0].message}` : `Le fichier contient ${fields.length} erreurs : corrigez chaque ligne indiquée.`, fields);
  }

  override toBody() {
    return { ...super.toBody(), preview: this.preview };
  }
}

/** A content file that fails validation stops start-up: this names the file and each line to fix. */
export class ContentError extends Error {
  constructor(file: string, problems: LibraryProblem[]) {
    super(
      `Le référentiel ${file} est invalide : Hygie ne peut pas démarrer avec ce contenu.\n` +
        problems.map((p) => `  - ${p.line === null ? '' : `ligne ${p.line}, `}${p.path} : ${p.message}`).join('\n'),
    );
    this.name = 'ContentError';
  }
}

export interface SyncResult {
  file: string;
  libraryUrn: string;
  version: number;
  action: ImportPreview['action'];
}

/**
 * Loads every `content/frameworks/*.yaml` and installs it: created when new, updated in
 * place when its version is higher than the installed one, left alone otherwise (a content
 * change needs a new version). Every file is validated before anything is written.
 */
export async function syncContent(db: Db, options: { dir?: string; now?: () => Date } = {}): Promise<SyncResult[]> {
  const dir = options.dir ?? CONTENT_FRAMEWORKS_DIR;
  if (!existsSync(dir)) return [];
  const shown = (file: string) => (options.dir ? path.join(dir, file) : path.join('content/frameworks', file));
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  const libraries: { file: string; library: ParsedLibrary }[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const parsed = parseLibrary(readFileSync(path.join(dir, file), 'utf8'));
    if (!parsed.ok) throw new ContentError(shown(file), parsed.problems);
    const urn = parsed.library.framework.libraryUrn;
    const other = seen.get(urn);
    if (other) throw new ContentError(shown(file), [{ line: 1, path: 'urn', message: `Cette URN de bibliothèque est déjà celle de ${shown(other)}.` }]);
    seen.set(urn, file);
    libraries.push({ file, library: parsed.library });
  }
  const results: SyncResult[] = [];
  for (const { file, library } of libraries) {
    const now = options.now?.() ?? new Date();
    const { preview } = await applyLibrary(db, library, {
      origin: 'content',
      actorId: null,
      audit: (event, tx) => appendAudit(tx, { ...event, actorLabel: 'Hygie (contenu livré)', details: { ...event.details, file: shown(file) } }, now),
      now,
    });
    results.push({ file: shown(file), libraryUrn: library.framework.libraryUrn, version: library.framework.version, action: preview.action });
  }
  return results;
}

/**
 * Frameworks as data: listing and reading them, importing CISO Assistant libraries (or a
 * newer version of one, without losing any answer), exporting them back to that format.
 */
export class FrameworkService {
  constructor(private readonly p: Platform) {}

  async list(actor: Actor): Promise<FrameworkSummary[]> {
    requireAccess(actor, policy, 'framework.read', null);
    const rows = await this.p.db
      .select()
      .from(frameworks)
      .orderBy(sql`case ${frameworks.kind} when 'referentiel' then 0 when 'express' then 1 else 2 end`, asc(frameworks.name));
    const counted = await this.p.db
      .select({ frameworkId: frameworkNodes.frameworkId, n: sql<number>`count(*)::int` })
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.assessable, true), activeNode()))
      .groupBy(frameworkNodes.frameworkId);
    const assessable = new Map(counted.map((c) => [c.frameworkId, Number(c.n)]));
    return rows.map((f) => toSummary(f, assessable.get(f.id) ?? 0));
  }

  async get(actor: Actor, id: string): Promise<FrameworkDetail> {
    requireAccess(actor, policy, 'framework.read', null);
    const { framework, nodes } = await this.load(id);
    return {
      ...toSummary(framework, nodes.filter((n) => n.assessable).length),
      minScore: framework.minScore,
      maxScore: framework.maxScore,
      scoresDefinition: framework.scoresDefinition,
      nodes: nodes.map(toNode),
    };
  }

  /** What importing this file would do; writes nothing. An invalid file is a 400 naming each line. */
  async preview(actor: Actor, text: string): Promise<ImportPreview> {
    requireAccess(actor, policy, 'framework.import', null);
    const library = parseOrThrow(text);
    const existing = await currentState(this.p.db, library.framework.libraryUrn);
    return describe(library, existing, 'import');
  }

  /**
   * Same library URN: created when new; a higher version updates it in place (nodes matched
   * by URN, new ones added, dropped ones kept but marked removed); the same version changes
   * nothing; a lower one is refused (409). Hygie's own frameworks are updated with Hygie, not here.
   */
  async import(actor: Actor, meta: RequestMeta, text: string): Promise<{ preview: ImportPreview; frameworkId: string | null }> {
    requireAccess(actor, policy, 'framework.import', null);
    const library = parseOrThrow(text);
    return applyLibrary(this.p.db, library, {
      origin: 'import',
      actorId: actor.userId,
      audit: (event, tx) => this.p.audit({ ...event, actorId: actor.userId, actorLabel: actor.email, ip: meta.ip }, tx),
      now: this.p.clock.now(),
    });
  }

  /** The framework in CISO Assistant's format, with Hygie's `hygie:` blocks. */
  async export(actor: Actor, id: string): Promise<{ filename: string; text: string }> {
    requireAccess(actor, policy, 'framework.read', null);
    const { framework, nodes } = await this.load(id);
    const base = framework.refId.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'referentiel';
    return { filename: `${base}.yaml`, text: serializeLibrary(framework, nodes) };
  }

  /** A framework and its current nodes in order; 404 when it does not exist. */
  private async load(id: string): Promise<{ framework: FrameworkRow; nodes: NodeRow[] }> {
    const [framework] = await this.p.db.select().from(frameworks).where(eq(frameworks.id, id));
    if (!framework) throw notFound('Ce référentiel n’existe pas.');
    const nodes = await this.p.db
      .select()
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.frameworkId, id), activeNode()))
      .orderBy(asc(frameworkNodes.position));
    return { framework, nodes };
  }
}

// --- The rule shared by imports and the start-up synchronisation ---------------------------------

interface State {
  framework: FrameworkRow;
  /** all its nodes, removed ones included */
  nodes: NodeRow[];
}

async function currentState(db: Db, libraryUrn: string): Promise<State | null> {
  const [framework] = await db.select().from(frameworks).where(eq(frameworks.libraryUrn, libraryUrn));
  if (!framework) return null;
  const nodes = await db.select().from(frameworkNodes).where(eq(frameworkNodes.frameworkId, framework.id));
  return { framework, nodes };
}

function parseOrThrow(text: string): ParsedLibrary {
  const parsed = parseLibrary(text);
  if (parsed.ok) return parsed.library;
  throw new LibraryInvalidError(previewOfInvalid(text, parsed.problems));
}

/** Whatever can be read of a refused file, beside its problems. */
function previewOfInvalid(text: string, problems: LibraryProblem[]): ImportPreview {
  const head = (key: string) => new RegExp(`^${key}:[ \\t]*['"]?([^'"#\\n]*?)['"]?[ \\t]*$`, 'm').exec(text)?.[1] ?? '';
  const version = Number.parseInt(head('version'), 10);
  return {
    libraryUrn: head('urn'),
    name: head('name'),
    version: Number.isFinite(version) ? version : 0,
    action: 'create',
    currentVersion: null,
    nodeCount: 0,
    assessableCount: 0,
    added: 0,
    removed: 0,
    changed: 0,
    problems,
  };
}

const removedFlag = (n: NodeRow) => (n.extra as { removed?: unknown }).removed === true;

/** The fields of a node a new version may change (position and the removed mark aside). */
function comparable(n: Omit<LibraryNode, 'position'>): string {
  const extra = { ...(n.extra as Record<string, unknown>) };
  delete extra.removed;
  // jsonb keeps object keys in its own order: compare with sorted keys.
  return JSON.stringify(sortKeys([
    n.parentUrn,
    n.refId,
    n.name,
    n.description,
    n.annotation,
    n.typicalEvidence,
    n.depth,
    n.assessable,
    n.implementationGroups,
    n.priority,
    n.maturityLevels,
    n.suggestedActions,
    n.sources,
    n.questions,
    extra,
  ]));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}

function describe(library: ParsedLibrary, state: State | null, origin: 'import' | 'content'): ImportPreview {
  const { framework, nodes } = library;
  const current = state?.framework.version ?? null;
  const action: ImportPreview['action'] = current === null ? 'create' : framework.version > current ? 'update' : framework.version === current ? 'unchanged' : 'older';
  const active = new Map((state?.nodes ?? []).filter((n) => !removedFlag(n)).map((n) => [n.urn, n]));
  const incoming = new Set(nodes.map((n) => n.urn));
  let added = 0;
  let changed = 0;
  for (const n of nodes) {
    const old = active.get(n.urn);
    if (!old) added += 1;
    else if (comparable(old) !== comparable(n)) changed += 1;
  }
  const problems: LibraryProblem[] = [];
  if (origin === 'import' && state?.framework.origin === 'content') {
    problems.push({ line: null, path: formatPath(['urn']), message: `« ${state.framework.name} » est un référentiel livré avec Hygie : il se met à jour avec l’application, pas par import.` });
  }
  return {
    libraryUrn: framework.libraryUrn,
    name: framework.name,
    version: framework.version,
    action,
    currentVersion: current,
    nodeCount: nodes.length,
    assessableCount: nodes.filter((n) => n.assessable).length,
    added,
    removed: [...active.keys()].filter((urn) => !incoming.has(urn)).length,
    changed,
    problems,
  };
}

interface ApplyOptions {
  origin: 'import' | 'content';
  actorId: string | null;
  audit: (event: AuditEvent, tx: Db) => Promise<void>;
  now: Date;
}

/** Creates, updates or leaves the library, in one transaction, with its audit entry. */
async function applyLibrary(db: Db, library: ParsedLibrary, o: ApplyOptions): Promise<{ preview: ImportPreview; frameworkId: string | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
    const state = await currentState(tx, library.framework.libraryUrn);
    const preview = describe(library, state, o.origin);
    if (o.origin === 'import' && state?.framework.origin === 'content') throw conflict(preview.problems[0].message);
    if (preview.action === 'unchanged') return { preview, frameworkId: state!.framework.id };
    if (preview.action === 'older') {
      if (o.origin === 'content') return { preview, frameworkId: state!.framework.id };
      throw conflict(`La version ${preview.version} est plus ancienne que celle déjà installée (${preview.currentVersion}) : rien n’a été importé.`);
    }

    const f = library.framework;
    const fields = {
      urn: f.urn,
      refId: f.refId,
      name: f.name,
      description: f.description,
      version: f.version,
      locale: f.locale,
      provider: f.provider,
      copyright: f.copyright,
      origin: o.origin,
      kind: f.kind,
      minScore: f.minScore,
      maxScore: f.maxScore,
      scoresDefinition: f.scoresDefinition,
      implementationGroups: f.implementationGroups,
      extra: f.extra,
      importedBy: o.actorId,
      updatedAt: o.now,
    };
    let frameworkId: string;
    if (state) {
      frameworkId = state.framework.id;
      await tx.update(frameworks).set(fields).where(eq(frameworks.id, frameworkId));
      // Every node is marked removed, then each one still in the library is written back without the mark.
      await tx
        .update(frameworkNodes)
        .set({ extra: sql`${frameworkNodes.extra} || '{"removed": true}'::jsonb` })
        .where(eq(frameworkNodes.frameworkId, frameworkId));
    } else {
      const [row] = await tx
        .insert(frameworks)
        .values({ libraryUrn: f.libraryUrn, ...fields, createdAt: o.now })
        .returning({ id: frameworks.id });
      frameworkId = row.id;
    }
    const rows = library.nodes.map((n) => ({ frameworkId, ...n }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await tx
        .insert(frameworkNodes)
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflictDoUpdate({
          target: [frameworkNodes.frameworkId, frameworkNodes.urn],
          set: {
            parentUrn: sql`excluded.parent_urn`,
            refId: sql`excluded.ref_id`,
            name: sql`excluded.name`,
            description: sql`excluded.description`,
            annotation: sql`excluded.annotation`,
            typicalEvidence: sql`excluded.typical_evidence`,
            depth: sql`excluded.depth`,
            assessable: sql`excluded.assessable`,
            position: sql`excluded.position`,
            implementationGroups: sql`excluded.implementation_groups`,
            priority: sql`excluded.priority`,
            maturityLevels: sql`excluded.maturity_levels`,
            suggestedActions: sql`excluded.suggested_actions`,
            sources: sql`excluded.sources`,
            questions: sql`excluded.questions`,
            extra: sql`excluded.extra`,
          },
        });
    }
    if (state) {
      // Scores are maintained per assessment: a new version (measures added, dropped or re-weighted) recomputes them now.
      const affected = await tx.select({ id: assessments.id }).from(assessments).where(eq(assessments.frameworkId, frameworkId));
      for (const { id } of affected) await refreshScores(tx, id);
    }
    await o.audit(
      {
        action: 'assessment.framework.imported',
        targetType: 'framework',
        targetId: frameworkId,
        details: {
          urn: f.libraryUrn,
          version: f.version,
          action: preview.action,
          previousVersion: preview.currentVersion,
          origin: o.origin,
          added: preview.added,
          removed: preview.removed,
          changed: preview.changed,
        },
      },
      tx,
    );
    return { preview, frameworkId };
  });
}

// --- Shapes of the contract --------------------------------------------------------------------

function toSummary(f: FrameworkRow, assessableCount: number): FrameworkSummary {
  return {
    id: f.id,
    libraryUrn: f.libraryUrn,
    refId: f.refId,
    name: f.name,
    description: f.description,
    version: f.version,
    origin: f.origin,
    kind: f.kind,
    provider: f.provider,
    assessableCount,
  };
}

function toNode(n: NodeRow): FrameworkNode {
  return {
    id: n.id,
    urn: n.urn,
    parentUrn: n.parentUrn,
    refId: n.refId,
    name: n.name,
    description: n.description,
    annotation: n.annotation,
    typicalEvidence: n.typicalEvidence,
    depth: n.depth,
    assessable: n.assessable,
    priority: n.priority,
    maturityLevels: n.maturityLevels,
    suggestedActions: n.suggestedActions,
    sources: n.sources,
    questions: n.questions,
  };
}
