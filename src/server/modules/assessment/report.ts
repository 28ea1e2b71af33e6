import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Answer, AssessmentDetail, Score } from '../../../contracts/assessment';
import type { Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import { BOTTOM, COLOR, LEFT, MARGIN, PAGE, PdfWriter, typeset as typesetText, WIDTH, type Align, type CellSpec } from '../../platform/pdf/pdf';
import { users } from '../../platform/tenancy/schema';
import { actionMeasures, activeNode, actions, frameworkNodes, frameworks } from './schema';
import { measureScore, type Scale } from './scoring';
import { AssessmentService } from './service';

/**
 * The report for the direction (« restitution ») as a PDF in French, and the export of an
 * assessment's answers as CSV or XLSX. Read-only: access is checked by
 * `AssessmentService.get` (policy `assessment.read`, a foreign establishment is a 404), every
 * file handed out is written to the audit log.
 */

export interface ReportFile {
  data: Buffer;
  fileName: string;
  contentType: string;
}

// --- Words -------------------------------------------------------------------------------------

const ASSESSMENT_STATUS: Record<string, string> = {
  draft: 'En cours de saisie (brouillon)',
  submitted: 'Soumis à la direction, en attente de validation',
  validated: 'Validé par la direction',
};
const ANSWER_STATUS: Record<string, string> = { oui: 'Oui', partiel: 'Partiel', non: 'Non', na: 'Non applicable' };
const NO_ANSWER = 'Sans réponse';
const PRIORITY: Record<string, string> = { essential: 'Essentielle', recommended: 'Recommandée' };
const ACTION_STATUS: Record<string, string> = { todo: 'À faire', in_progress: 'En cours', done: 'Terminée', cancelled: 'Annulée' };
const ACTION_PRIORITY: Record<string, string> = { high: 'haute', medium: 'moyenne', low: 'basse' };
const OPEN_ACTIONS = ['todo', 'in_progress'] as const;
const TOP_GAPS = 15;

// --- Dates and numbers, Europe/Paris ------------------------------------------------------------

const TZ = 'Europe/Paris';
const longDay = new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const hourMinute = new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, hour: 'numeric', minute: '2-digit', hourCycle: 'h23' });
const calendarDay = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const firstOfMonth = (s: string) => s.replace(/(^|\s)1 /, '$11er ');
/** « lundi 3 mars 2026 », « dimanche 1er mars 2026 ». */
const frenchDay = (d: Date) => firstOfMonth(longDay.format(d));
/** « lundi 3 mars 2026 à 14 h 05 ». */
function frenchDateTime(d: Date): string {
  const parts = hourMinute.formatToParts(d);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '0';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return `${frenchDay(d)} à ${Number(hour)} h ${minute}`;
}
/** A calendar date (AAAA-MM-JJ, a due date): « 3 mars 2026 ». */
const frenchCalendarDay = (day: string) => firstOfMonth(calendarDay.format(new Date(`${day}T12:00:00Z`)));
/** The day it is in Paris (AAAA-MM-JJ). */
const parisDay = (d: Date) => isoDay.format(d);
/** Paris wall-clock time as numbers, for spreadsheets (which know no time zone). */
function parisParts(d: Date) {
  const p = Object.fromEntries(wallClock.formatToParts(d).map((x) => [x.type, x.value]));
  return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour % 24, minute: +p.minute, second: +p.second };
}
/** « 03/03/2026 14:05 », Paris time. */
function parisStamp(d: Date): string {
  const p = parisParts(d);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(p.day)}/${two(p.month)}/${p.year} ${two(p.hour)}:${two(p.minute)}`;
}

const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
/** Scores are read by people as whole numbers out of 100. */
const points = (n: number) => String(Math.round(n));
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);
const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

/** An ASCII file name part: « CH Saint-Éloi (site A) » → « ch-saint-eloi-site-a ». */
function fileSlug(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[œŒ]/g, 'oe')
    .replace(/[æÆ]/g, 'ae')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'etablissement';
}

// --- The data of a report -----------------------------------------------------------------------

interface ReportNode {
  id: string;
  urn: string;
  parentUrn: string | null;
  refId: string | null;
  name: string | null;
  description: string | null;
  depth: number;
  assessable: boolean;
  priority: 'essential' | 'recommended' | null;
  suggestedActions: string[] | null;
}

interface PlanAction {
  id: string;
  title: string;
  status: (typeof actions.$inferSelect)['status'];
  priority: (typeof actions.$inferSelect)['priority'];
  dueDate: string | null;
  ownerName: string | null;
  late: boolean;
  measures: { nodeId: string; refId: string | null }[];
}

interface ReportModel {
  detail: AssessmentDetail;
  framework: { name: string; refId: string; scale: Scale; levels: { score: number; name: string }[] };
  /** the framework's current nodes, in its order */
  nodes: ReportNode[];
  byId: Map<string, ReportNode>;
  byUrn: Map<string, ReportNode>;
  objectives: ReportNode[];
  measures: ReportNode[];
  scores: Map<string, Score>;
  overall: { score: number | null; answered: number; total: number };
  answers: Map<string, Answer>;
  evidenceCount: Map<string, number>;
  gaps: AssessmentDetail['gaps'];
  /** every action of the establishment linked to this assessment or to one of its measures */
  plan: PlanAction[];
  now: Date;
}

/** « O1 · Gouvernance »: the reference and the name (or the start of the description). */
function label(node: ReportNode): string {
  const text = node.name ?? (node.description ? shorten(node.description, 90) : null);
  return [node.refId, text].filter(Boolean).join(' · ') || 'Sans intitulé';
}
const nameOf = (node: ReportNode) => node.name ?? (node.description ? shorten(node.description, 90) : (node.refId ?? 'Sans intitulé'));
function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** The chain of groups above a node, from the top (objective) down. */
function ancestors(model: Pick<ReportModel, 'byUrn'>, node: ReportNode): ReportNode[] {
  const chain: ReportNode[] = [];
  const seen = new Set<string>();
  for (let p = node.parentUrn ? model.byUrn.get(node.parentUrn) : undefined; p && !seen.has(p.urn); p = p.parentUrn ? model.byUrn.get(p.parentUrn) : undefined) {
    seen.add(p.urn);
    chain.unshift(p);
  }
  return chain;
}

function maturityText(model: ReportModel, maturity: number | null): string | null {
  if (maturity === null) return null;
  const level = model.framework.levels.find((l) => l.score === maturity);
  const { min, max } = model.framework.scale;
  return `${maturity} ${min === 0 ? `sur ${max}` : `(de ${min} à ${max})`}${level ? `, « ${level.name} »` : ''}`;
}

// --- The service ------------------------------------------------------------------------------------

export class ReportService {
  private readonly assessments: AssessmentService;

  constructor(private readonly p: Platform) {
    this.assessments = new AssessmentService(p);
  }

  /** The PDF report for the direction. */
  async pdf(actor: Actor, meta: RequestMeta, assessmentId: string): Promise<ReportFile> {
    const model = await this.load(actor, assessmentId);
    const { data, pages } = await renderPdf(model);
    await this.audit(actor, meta, model, 'assessment.report.generated', { format: 'pdf', pages });
    return { data, fileName: `restitution-${fileSlug(model.detail.assessment.orgName)}-${parisDay(model.now)}.pdf`, contentType: 'application/pdf' };
  }

  /** The answers, one line per measure, as CSV for a French spreadsheet (`;`, BOM). */
  async csv(actor: Actor, meta: RequestMeta, assessmentId: string): Promise<ReportFile> {
    const model = await this.load(actor, assessmentId);
    const rows = answerRows(model);
    const text = stringify(
      rows.map((r) => ANSWER_COLUMNS.map((c) => csvCell(r[c.key]))),
      { delimiter: ';', bom: true, header: true, columns: ANSWER_COLUMNS.map((c) => c.header) },
    );
    await this.audit(actor, meta, model, 'assessment.answers.exported', { format: 'csv', rows: rows.length });
    return { data: Buffer.from(text, 'utf8'), fileName: `diagnostic-${fileSlug(model.detail.assessment.orgName)}-${parisDay(model.now)}.csv`, contentType: 'text/csv; charset=utf-8' };
  }

  /** The answers as an Excel workbook: the answers, the scores, and what the file is. */
  async xlsx(actor: Actor, meta: RequestMeta, assessmentId: string): Promise<ReportFile> {
    const model = await this.load(actor, assessmentId);
    const { data, rows } = await renderXlsx(model);
    await this.audit(actor, meta, model, 'assessment.answers.exported', { format: 'xlsx', rows });
    return {
      data,
      fileName: `diagnostic-${fileSlug(model.detail.assessment.orgName)}-${parisDay(model.now)}.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
  }

  private audit(actor: Actor, meta: RequestMeta, model: ReportModel, action: string, details: Record<string, unknown>) {
    const a = model.detail.assessment;
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId: a.orgId, targetType: 'assessment', targetId: a.id, ip: meta.ip, details });
  }

  /** Access first (through the assessment service), then the framework's tree and the plan. */
  private async load(actor: Actor, assessmentId: string): Promise<ReportModel> {
    const detail = await this.assessments.get(actor, assessmentId);
    const a = detail.assessment;
    const db = this.p.db;
    const [fw] = await db
      .select({ name: frameworks.name, refId: frameworks.refId, min: frameworks.minScore, max: frameworks.maxScore, levels: frameworks.scoresDefinition })
      .from(frameworks)
      .where(eq(frameworks.id, a.frameworkId));
    const nodes: ReportNode[] = await db
      .select({
        id: frameworkNodes.id,
        urn: frameworkNodes.urn,
        parentUrn: frameworkNodes.parentUrn,
        refId: frameworkNodes.refId,
        name: frameworkNodes.name,
        description: frameworkNodes.description,
        depth: frameworkNodes.depth,
        assessable: frameworkNodes.assessable,
        priority: frameworkNodes.priority,
        suggestedActions: frameworkNodes.suggestedActions,
      })
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.frameworkId, a.frameworkId), activeNode()))
      .orderBy(asc(frameworkNodes.position), asc(frameworkNodes.id));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));

    // The plan: the establishment's actions tied to this assessment, or to a measure of its framework.
    const onFramework = db
      .select({ one: sql`1` })
      .from(actionMeasures)
      .innerJoin(frameworkNodes, eq(frameworkNodes.id, actionMeasures.nodeId))
      .where(and(sql`${actionMeasures.actionId} = ${actions.id}`, eq(frameworkNodes.frameworkId, a.frameworkId)));
    const rows = await db
      .select({ action: actions, ownerName: users.displayName })
      .from(actions)
      .leftJoin(users, eq(users.id, actions.ownerId))
      .where(and(eq(actions.orgId, a.orgId), or(eq(actions.assessmentId, a.id), sql`exists (${onFramework})`)))
      .orderBy(sql`${actions.dueDate} asc nulls last`, asc(actions.createdAt), asc(actions.id));
    const links = rows.length
      ? await db
          .select({ actionId: actionMeasures.actionId, nodeId: frameworkNodes.id, refId: frameworkNodes.refId })
          .from(actionMeasures)
          .innerJoin(frameworkNodes, eq(frameworkNodes.id, actionMeasures.nodeId))
          .where(
            inArray(
              actionMeasures.actionId,
              rows.map((r) => r.action.id),
            ),
          )
          .orderBy(asc(frameworkNodes.position))
      : [];
    const now = this.p.clock.now();
    const today = parisDay(now);
    const plan: PlanAction[] = rows.map(({ action, ownerName }) => {
      const open = (OPEN_ACTIONS as readonly string[]).includes(action.status);
      return {
        id: action.id,
        title: action.title,
        status: action.status,
        priority: action.priority,
        dueDate: action.dueDate,
        ownerName: ownerName ?? null,
        late: open && action.dueDate !== null && action.dueDate < today,
        measures: links.filter((l) => l.actionId === action.id).map((l) => ({ nodeId: l.nodeId, refId: l.refId })),
      };
    });

    const evidenceCount = new Map<string, number>();
    for (const e of detail.evidence) evidenceCount.set(e.nodeId, (evidenceCount.get(e.nodeId) ?? 0) + 1);

    return {
      detail,
      framework: { name: fw.name, refId: fw.refId, scale: { min: fw.min, max: fw.max }, levels: fw.levels },
      nodes,
      byId,
      byUrn,
      objectives: nodes.filter((n) => !n.assessable && !(n.parentUrn && byUrn.has(n.parentUrn))),
      measures: nodes.filter((n) => n.assessable),
      scores: new Map(detail.scores.map((s) => [s.nodeId, s])),
      overall: { score: a.score, answered: a.answeredCount, total: a.assessableCount },
      answers: new Map(detail.answers.map((x) => [x.nodeId, x])),
      evidenceCount,
      gaps: detail.gaps.filter((g) => byId.has(g.nodeId)),
      plan,
      now,
    };
  }
}

// --- CSV and XLSX ----------------------------------------------------------------------------------

interface AnswerRow {
  objective: string;
  subObjective: string;
  ref: string;
  measure: string;
  priority: string;
  status: string;
  maturity: number | null;
  score: number | null;
  comment: string;
  evidence: number;
  contributor: string;
  updatedAt: Date | null;
}

const ANSWER_COLUMNS: { key: keyof AnswerRow; header: string; width: number }[] = [
  { key: 'objective', header: 'Objectif', width: 34 },
  { key: 'subObjective', header: 'Sous-objectif', width: 34 },
  { key: 'ref', header: 'Référence', width: 11 },
  { key: 'measure', header: 'Mesure', width: 50 },
  { key: 'priority', header: 'Priorité', width: 13 },
  { key: 'status', header: 'Statut', width: 15 },
  { key: 'maturity', header: 'Niveau de maturité', width: 11 },
  { key: 'score', header: 'Score (sur 100)', width: 10 },
  { key: 'comment', header: 'Commentaire', width: 50 },
  { key: 'evidence', header: 'Nombre de preuves', width: 11 },
  { key: 'contributor', header: 'Dernier contributeur', width: 24 },
  { key: 'updatedAt', header: 'Dernière mise à jour (heure de Paris)', width: 19 },
];

/** One row per measure of the framework, in its order. */
function answerRows(model: ReportModel): AnswerRow[] {
  return model.measures.map((node) => {
    const chain = ancestors(model, node);
    const answer = model.answers.get(node.id);
    return {
      objective: chain[0] ? label(chain[0]) : '',
      subObjective: chain.length > 1 ? label(chain[chain.length - 1]) : '',
      ref: node.refId ?? '',
      measure: nameOf(node),
      priority: node.priority ? PRIORITY[node.priority] : '',
      status: answer?.status ? ANSWER_STATUS[answer.status] : NO_ANSWER,
      maturity: answer?.maturity ?? null,
      score: round2(measureScore(answer ? { status: answer.status, maturity: answer.maturity } : undefined, model.framework.scale)),
      comment: answer?.comment ?? '',
      evidence: model.evidenceCount.get(node.id) ?? 0,
      contributor: answer?.updatedByName ?? '',
      updatedAt: answer ? new Date(answer.updatedAt) : null,
    };
  });
}

/**
 * A CSV cell as French spreadsheets read it: decimal comma, Paris time; text that a
 * spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe.
 */
function csvCell(value: AnswerRow[keyof AnswerRow]): string {
  if (value === null) return '';
  if (value instanceof Date) return parisStamp(value);
  if (typeof value === 'number') return String(value).replace('.', ',');
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A Paris wall-clock time as Excel stores dates (no time zone). */
function excelDate(d: Date): Date {
  const p = parisParts(d);
  return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second));
}

async function renderXlsx(model: ReportModel): Promise<{ data: Buffer; rows: number }> {
  const a = model.detail.assessment;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hygie';
  wb.title = `Diagnostic — ${a.orgName}`;
  wb.subject = a.title;
  wb.created = model.now;

  const sheet = wb.addWorksheet('Réponses', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = ANSWER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  const rows = answerRows(model);
  for (const r of rows) sheet.addRow({ ...r, updatedAt: r.updatedAt ? excelDate(r.updatedAt) : null });
  styleHeader(sheet);
  sheet.getColumn('score').numFmt = '0';
  sheet.getColumn('updatedAt').numFmt = 'dd/mm/yyyy hh:mm';
  for (const key of ['objective', 'subObjective', 'measure', 'comment'] as const) sheet.getColumn(key).alignment = { wrapText: true, vertical: 'top' };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: ANSWER_COLUMNS.length } };

  const scores = wb.addWorksheet('Scores', { views: [{ state: 'frozen', ySplit: 1 }] });
  scores.columns = [
    { header: 'Niveau', key: 'level', width: 16 },
    { header: 'Référence', key: 'ref', width: 11 },
    { header: 'Intitulé', key: 'name', width: 60 },
    { header: 'Score (sur 100)', key: 'score', width: 12 },
    { header: 'Mesures renseignées', key: 'answered', width: 13 },
    { header: 'Mesures au total', key: 'total', width: 12 },
  ];
  scores.addRow({ level: 'Ensemble', ref: model.framework.refId, name: model.framework.name, score: model.overall.score, answered: model.overall.answered, total: model.overall.total }).font = { bold: true };
  for (const g of groupRows(model)) {
    const row = scores.addRow({ level: g.depth === 0 ? 'Objectif' : 'Sous-objectif', ref: g.node.refId ?? '', name: nameOf(g.node), score: g.score?.score ?? null, answered: g.score?.answered ?? 0, total: g.score?.total ?? 0 });
    if (g.depth === 0) row.font = { bold: true };
    else row.getCell('name').alignment = { indent: Math.min(g.depth, 5), wrapText: true };
  }
  styleHeader(scores);
  scores.getColumn('score').numFmt = '0';

  const about = wb.addWorksheet('Diagnostic');
  about.columns = [
    { header: 'Information', key: 'k', width: 28 },
    { header: 'Valeur', key: 'v', width: 70 },
  ];
  const facts: [string, string][] = [
    ['Établissement', a.orgName],
    ['Diagnostic', a.title],
    ['Référentiel', model.framework.name],
    ['Statut', ASSESSMENT_STATUS[a.status]],
    ['Commencé le', frenchDateTime(new Date(a.createdAt))],
    ...(a.submittedAt ? ([['Soumis le', frenchDateTime(new Date(a.submittedAt))]] as [string, string][]) : []),
    ...(a.validatedAt ? ([['Validé le', frenchDateTime(new Date(a.validatedAt))]] as [string, string][]) : []),
    ...(a.campaignTitle ? ([['Campagne', a.campaignTitle]] as [string, string][]) : []),
    ['Exporté le', frenchDateTime(model.now)],
    ['Diffusion', 'Restreinte : ce fichier décrit les points faibles de la sécurité de l’établissement.'],
  ];
  for (const [k, v] of facts) about.addRow({ k, v });
  styleHeader(about);

  return { data: Buffer.from(await wb.xlsx.writeBuffer()), rows: rows.length };
}

function styleHeader(sheet: ExcelJS.Worksheet) {
  const header = sheet.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF0E5A6E' } };
  header.alignment = { wrapText: true, vertical: 'middle' };
}

/** The groups (objectives, then the groups below each), in the framework's order, with their depth. */
function groupRows(model: ReportModel): { node: ReportNode; depth: number; score: Score | undefined }[] {
  const out: { node: ReportNode; depth: number; score: Score | undefined }[] = [];
  const children = new Map<string, ReportNode[]>();
  for (const n of model.nodes) {
    if (n.assessable || !n.parentUrn) continue;
    (children.get(n.parentUrn) ?? children.set(n.parentUrn, []).get(n.parentUrn)!).push(n);
  }
  const walk = (node: ReportNode, depth: number) => {
    out.push({ node, depth, score: model.scores.get(node.id) });
    for (const c of children.get(node.urn) ?? []) walk(c, depth + 1);
  };
  for (const o of model.objectives) walk(o, 0);
  return out;
}

// --- The PDF ----------------------------------------------------------------------------------------------

/** The report's typography: numbers stay with their sign (« 50 % », « 3 / 4 »). */
const TYPOGRAPHY = { numbers: true };
const typeset = (text: string) => typesetText(text, TYPOGRAPHY);

const SIZE = { body: 10.5, small: 8.5, cell: 9.5, h1: 17, h2: 12.5 };

/** Draws the report, page after page; page numbers are added at the end, once the count is known. */
class ReportPdf extends PdfWriter {
  constructor(private readonly model: ReportModel) {
    const a = model.detail.assessment;
    super(
      {
        title: `Restitution du diagnostic — ${a.orgName}`,
        subject: `${a.title} (${model.framework.name})`,
        keywords: 'diagnostic, sécurité du numérique, plan d’action, établissement de santé',
        createdAt: model.now,
      },
      TYPOGRAPHY,
    );
  }

  // --- primitives ---

  private h1(text: string, lead?: string) {
    this.ensure(120);
    if (this.doc.y > MARGIN.top + 1) this.doc.y += 10;
    this.font('bold', SIZE.h1, COLOR.primaryStrong).text(typeset(text), LEFT, this.doc.y, { width: WIDTH });
    const y = this.doc.y + 3;
    this.doc.moveTo(LEFT, y).lineTo(LEFT + WIDTH, y).lineWidth(1.2).strokeColor(COLOR.primary).stroke();
    this.doc.y = y + 9;
    if (lead) this.para(lead);
  }

  private h2(text: string) {
    this.ensure(70);
    this.doc.y += 6;
    this.font('bold', SIZE.h2, COLOR.primaryStrong).text(typeset(text), LEFT, this.doc.y, { width: WIDTH });
    this.doc.y += 4;
  }

  private para(text: string, opts: { size?: number; color?: string; bold?: boolean; gap?: number; x?: number; width?: number } = {}) {
    this.font(opts.bold ? 'bold' : 'regular', opts.size ?? SIZE.body, opts.color ?? COLOR.text).text(typeset(text), opts.x ?? LEFT, this.doc.y, {
      width: opts.width ?? WIDTH,
      lineGap: 2.5,
    });
    this.doc.y += opts.gap ?? 7;
  }

  /** Diagonal hatching inside the current path's area (readable in black and white). */
  private hatch(bounds: { x: number; y: number; w: number; h: number }, clip: () => void, color = COLOR.primary, step = 4.5) {
    const d = this.doc;
    d.save();
    clip();
    d.clip();
    d.lineWidth(0.6).strokeColor(color);
    for (let off = -bounds.h; off < bounds.w; off += step) {
      d.moveTo(bounds.x + off, bounds.y + bounds.h)
        .lineTo(bounds.x + off + bounds.h, bounds.y)
        .stroke();
    }
    d.restore();
  }

  /** An outlined bar, hatched up to the score. */
  private scoreBar(x: number, y: number, w: number, h: number, score: number | null) {
    const d = this.doc;
    if (score !== null && score > 0) {
      const fw = (w * Math.min(100, score)) / 100;
      d.save().rect(x, y, fw, h).fillOpacity(0.25).fill(COLOR.primary).restore();
      this.hatch({ x, y, w: fw, h }, () => d.rect(x, y, fw, h), COLOR.primaryStrong, 3);
      d.moveTo(x + fw, y).lineTo(x + fw, y + h).lineWidth(1).strokeColor(COLOR.primaryStrong).stroke();
    }
    d.rect(x, y, w, h).lineWidth(0.7).strokeColor(COLOR.border).stroke();
  }

  /** A table cell showing a score as a bar. */
  private barCell(score: number | null): CellSpec {
    return { text: '', drawing: { height: 9, draw: (x, y, w) => this.scoreBar(x, y + 1, w, 8, score) } };
  }

  // --- the pages ---

  async render(): Promise<{ data: Buffer; pages: number }> {
    this.cover();
    this.newPage();
    this.objectivesSection();
    this.subObjectivesSection();
    this.newPage();
    this.gapsSection();
    this.newPage();
    this.planSection();
    this.formulaSection();
    const pages = this.pageFurniture();
    return { data: await this.finish(), pages };
  }

  private cover() {
    const d = this.doc;
    const m = this.model;
    const a = m.detail.assessment;
    d.rect(0, 0, PAGE.width, 118).fill(COLOR.primary);
    this.font('bold', 24, COLOR.white).text('Hygie', LEFT, 34, { width: WIDTH });
    this.font('regular', 13.5, COLOR.white).text(typeset('Restitution du diagnostic de sécurité du numérique'), LEFT, 68, { width: WIDTH });
    this.font('regular', 9.5, COLOR.white).text(typeset('Document pour la direction'), LEFT, 88, { width: WIDTH });

    d.y = 150;
    this.font('regular', SIZE.small, COLOR.muted).text('ÉTABLISSEMENT', LEFT, d.y, { width: WIDTH, characterSpacing: 0.8 });
    d.y += 2;
    this.font('bold', 24, COLOR.text).text(typeset(a.orgName), LEFT, d.y, { width: WIDTH, lineGap: 1 });
    d.y += 4;
    this.font('regular', 14, COLOR.primaryStrong).text(typeset(a.title), LEFT, d.y, { width: WIDTH, lineGap: 1 });
    d.y += 14;

    const facts: [string, string][] = [
      ['Référentiel', m.framework.name],
      ['Statut', ASSESSMENT_STATUS[a.status]],
    ];
    if (a.campaignTitle) facts.push(['Campagne', a.deadline ? `${a.campaignTitle} (à rendre le ${frenchCalendarDay(a.deadline)})` : a.campaignTitle]);
    facts.push(['Commencé le', frenchDay(new Date(a.createdAt))]);
    if (a.submittedAt) facts.push(['Soumis le', frenchDay(new Date(a.submittedAt))]);
    if (a.validatedAt) facts.push(['Validé le', frenchDay(new Date(a.validatedAt))]);
    facts.push(['Document établi le', frenchDateTime(m.now)]);
    const labelW = 118;
    for (const [k, v] of facts) {
      const y = d.y;
      this.font('regular', SIZE.body, COLOR.muted).text(typeset(k), LEFT, y, { width: labelW });
      this.font('bold', SIZE.body, COLOR.text).text(typeset(v), LEFT + labelW, y, { width: WIDTH - labelW, lineGap: 1.5 });
      d.y += 5;
    }

    d.y += 14;
    this.h2('Synthèse');
    d.y += 4;
    this.tiles();
    this.para(summaryText(m), { size: 11, gap: 10 });

    const note =
      'Diffusion restreinte. Ce document décrit les points faibles de la sécurité du numérique de l’établissement : ne le transmettez qu’aux personnes qui en ont besoin, et ne le publiez pas.';
    const h = this.textHeight(note, 'regular', 9, WIDTH - 24) + 16;

    // The first three gaps, when they fit above the note: what to do first.
    const first = m.gaps.slice(0, 3).map((g) => {
      const node = m.byId.get(g.nodeId)!;
      const kind = g.priority ? `mesure ${PRIORITY[g.priority].toLowerCase()}` : 'mesure';
      return `${[node.refId, nameOf(node)].filter(Boolean).join(' — ')} (${kind}, score ${points(g.score)} / 100)`;
    });
    const need = 34 + first.reduce((sum, line) => sum + this.textHeight(line, 'regular', 10.5, WIDTH - 14) + 4, 0);
    if (first.length && d.y + need < BOTTOM - h - 12) {
      this.h2(first.length > 1 ? `Les ${first.length} écarts à traiter en premier` : 'L’écart à traiter en premier');
      d.y += 2;
      for (const line of first) {
        const y = d.y;
        this.font('bold', 10.5, COLOR.primary).text('•', LEFT + 2, y, { width: 10, lineBreak: false });
        d.y = y;
        this.para(line, { x: LEFT + 14, width: WIDTH - 14, gap: 4, size: 10.5 });
      }
    }

    // Restricted distribution, at the bottom of the cover.
    const y = Math.max(d.y + 10, BOTTOM - h);
    if (y + h <= BOTTOM + 1) {
      d.rect(LEFT, y, WIDTH, h).lineWidth(0.8).strokeColor(COLOR.border).stroke();
      d.rect(LEFT, y, 4, h).fill(COLOR.warning);
      this.font('regular', 9, COLOR.text).text(typeset(note), LEFT + 14, y + 8, { width: WIDTH - 24, lineGap: 1.5 });
    } else {
      this.para(note, { size: 9, color: COLOR.muted });
    }
  }

  /** Score global, progression, essential gaps: three framed figures. */
  private tiles() {
    const d = this.doc;
    const m = this.model;
    const gap = 12;
    const w = (WIDTH - 2 * gap) / 3;
    const h = 88;
    const y = d.y;
    const essential = m.gaps.filter((g) => g.priority === 'essential').length;
    const tiles: { title: string; value: string; unit: string; note: string; bar?: number | null }[] = [
      {
        title: 'Score global',
        value: m.overall.score === null ? '—' : points(m.overall.score),
        unit: m.overall.score === null ? '' : '/ 100',
        note: m.overall.score === null ? 'pas encore calculable' : 'moyenne pondérée des mesures',
        bar: m.overall.score,
      },
      {
        title: 'Progression',
        value: `${m.overall.answered}`,
        unit: `/ ${m.overall.total}`,
        note: `mesures renseignées (${percent(m.overall.answered, m.overall.total)} %)`,
        bar: percent(m.overall.answered, m.overall.total),
      },
      {
        title: 'Écarts essentiels',
        value: String(essential),
        unit: '',
        note: essential > 1 ? 'mesures essentielles à améliorer' : 'mesure essentielle à améliorer',
      },
    ];
    tiles.forEach((t, i) => {
      const x = LEFT + i * (w + gap);
      d.rect(x, y, w, h).lineWidth(1).strokeColor(COLOR.border).stroke();
      d.rect(x, y, w, 3).fill(COLOR.primary);
      this.font('bold', 9.5, COLOR.muted).text(typeset(t.title), x + 10, y + 10, { width: w - 20 });
      this.font('bold', 26, COLOR.primaryStrong).text(t.value, x + 10, y + 24, { width: w - 20, continued: t.unit !== '' });
      if (t.unit) this.font('regular', 12, COLOR.muted).text(` ${t.unit}`);
      this.font('regular', 8.5, COLOR.muted).text(typeset(t.note), x + 10, y + 58, { width: w - 20 });
      if (t.bar !== undefined) this.scoreBar(x + 10, y + h - 14, w - 20, 6, t.bar);
    });
    d.x = LEFT;
    d.y = y + h + 14;
  }

  private objectivesSection() {
    const m = this.model;
    this.h1(
      'Scores par objectif',
      'Le graphique montre le score de l’établissement pour chaque objectif, sur 100 : plus la surface hachurée s’étend vers l’extérieur, plus l’objectif est atteint. Le tableau qui suit donne les mêmes valeurs.',
    );
    const objectives = m.objectives;
    if (objectives.length === 0) {
      this.para('Ce référentiel ne regroupe pas ses mesures en objectifs : seul le score global est calculé.', { color: COLOR.muted });
      return;
    }
    if (objectives.length >= 3) this.radar(objectives);
    else this.bars(objectives);
    this.table(
      [
        { header: 'Objectif', width: 225 },
        { header: 'Score (sur 100)', width: 75, align: 'right' },
        { header: 'Représentation', width: 110 },
        { header: 'Mesures renseignées', width: WIDTH - 410, align: 'right' },
      ],
      objectives.map((o) => {
        const s = m.scores.get(o.id);
        return {
          cells: [
            { text: label(o), bold: true },
            s?.score == null ? { text: 'non évalué', color: COLOR.muted } : { text: points(s.score), bold: true },
            this.barCell(s?.score ?? null),
            s ? `${s.answered} sur ${s.total}` : '—',
          ],
        };
      }),
    );
  }

  /** The radar: one axis per objective, grid at 25/50/75/100, the score polygon hatched and outlined. */
  private radar(objectives: ReportNode[]) {
    const d = this.doc;
    const m = this.model;
    const n = objectives.length;
    const R = 132;
    const labelSize = n > 12 ? 7.5 : 9.5;
    this.ensure(2 * R + 90);
    const cx = LEFT + WIDTH / 2;
    const cy = d.y + R + 30;
    const angle = (i: number) => -Math.PI / 2 + (2 * Math.PI * i) / n;
    const at = (i: number, value: number): [number, number] => [cx + ((R * value) / 100) * Math.cos(angle(i)), cy + ((R * value) / 100) * Math.sin(angle(i))];

    // Grid and axes.
    for (const level of [25, 50, 75, 100]) {
      d.polygon(...objectives.map((_, i) => at(i, level)));
      d.lineWidth(level === 100 ? 0.9 : 0.5).strokeColor(COLOR.border);
      if (level < 100) d.dash(2, { space: 2 });
      d.stroke().undash();
    }
    for (let i = 0; i < n; i++) {
      const [x, y] = at(i, 100);
      d.moveTo(cx, cy).lineTo(x, y).lineWidth(0.5).strokeColor(COLOR.border).stroke();
    }
    // The score polygon: light fill, hatching, a strong outline, square markers.
    const values = objectives.map((o) => m.scores.get(o.id)?.score ?? null);
    const pts = values.map((v, i) => at(i, v ?? 0));
    const bounds = { x: cx - R, y: cy - R, w: 2 * R, h: 2 * R };
    if (values.some((v) => v !== null && v > 0)) {
      d.save().polygon(...pts).fillOpacity(0.18).fill(COLOR.primary).restore();
      this.hatch(bounds, () => d.polygon(...pts), COLOR.primary, 5);
      d.polygon(...pts).lineWidth(2).lineJoin('round').strokeColor(COLOR.primaryStrong).stroke();
    }
    values.forEach((v, i) => {
      const [x, y] = pts[i];
      if (v === null) d.circle(x, y, 3).lineWidth(1).strokeColor(COLOR.primaryStrong).stroke();
      else d.rect(x - 3, y - 3, 6, 6).fill(COLOR.primaryStrong);
    });
    // The grid's values, on a white ground so that the hatching never hides them.
    for (const level of [25, 50, 75, 100]) {
      const [x, y] = at(0, level);
      const w = this.font('regular', 7, COLOR.muted).widthOfString(String(level));
      d.rect(x + 2.5, y - 8.5, w + 3, 8).fill(COLOR.white);
      this.font('regular', 7, COLOR.muted).text(String(level), x + 4, y - 8, { width: 24, lineBreak: false });
    }

    // Axis labels: the objective's reference and its score.
    objectives.forEach((o, i) => {
      const [x, y] = at(i, 100);
      const cos = Math.cos(angle(i));
      const sin = Math.sin(angle(i));
      const lx = x + cos * 12;
      const ly = y + sin * 12;
      const v = values[i];
      const ref = o.refId ?? String(i + 1);
      const value = v === null ? 'non évalué' : `${points(v)} / 100`;
      const w = 70;
      const h = labelSize * 2 + 4;
      const align: Align = cos > 0.25 ? 'left' : cos < -0.25 ? 'right' : 'center';
      const bx = align === 'left' ? lx : align === 'right' ? lx - w : lx - w / 2;
      const by = sin < -0.25 ? ly - h : sin > 0.25 ? ly : ly - h / 2;
      this.font('bold', labelSize, COLOR.text).text(typeset(ref), bx, by, { width: w, align, lineBreak: false });
      this.font('regular', labelSize - 1, COLOR.muted).text(typeset(value), bx, by + labelSize + 2, { width: w, align, lineBreak: false });
    });

    // Legend.
    const ly = cy + R + 46;
    const sw = 12;
    let x = LEFT + 60;
    d.save().rect(x, ly, sw, sw).fillOpacity(0.18).fill(COLOR.primary).restore();
    this.hatch({ x, y: ly, w: sw, h: sw }, () => d.rect(x, ly, sw, sw), COLOR.primary, 3);
    d.rect(x, ly, sw, sw).lineWidth(1.5).strokeColor(COLOR.primaryStrong).stroke();
    this.font('regular', 9, COLOR.text).text(typeset('Score de l’établissement (sur 100)'), x + sw + 6, ly + 1.5, { width: 170, lineBreak: false });
    x += 215;
    d.moveTo(x, ly + sw / 2).lineTo(x + 20, ly + sw / 2).lineWidth(0.6).strokeColor(COLOR.border).dash(2, { space: 2 }).stroke().undash();
    this.font('regular', 9, COLOR.text).text('Repères à 25, 50, 75 et 100', x + 26, ly + 1.5, { width: 170, lineBreak: false });
    d.x = LEFT;
    d.y = ly + sw + 18;
  }

  /** With one or two objectives a radar says nothing: horizontal bars instead. */
  private bars(objectives: ReportNode[]) {
    const d = this.doc;
    const m = this.model;
    const labelW = 150;
    const barW = WIDTH - labelW - 70;
    this.ensure(objectives.length * 28 + 30);
    for (const o of objectives) {
      const y = d.y;
      const v = m.scores.get(o.id)?.score ?? null;
      this.font('bold', SIZE.cell, COLOR.text).text(typeset(shorten(label(o), 40)), LEFT, y + 2, { width: labelW - 10, lineBreak: false });
      this.scoreBar(LEFT + labelW, y, barW, 16, v);
      this.font('regular', SIZE.cell, COLOR.text).text(v === null ? 'non évalué' : `${points(v)} / 100`, LEFT + labelW + barW + 8, y + 3, { width: 62, lineBreak: false });
      d.y = y + 26;
    }
    d.x = LEFT;
    d.y += 8;
  }

  private subObjectivesSection() {
    const m = this.model;
    const groups = groupRows(m);
    if (!groups.some((g) => g.depth > 0)) return;
    if (this.doc.y > BOTTOM - 220) this.newPage();
    this.h1('Scores par sous-objectif', 'Chaque objectif (ligne teintée) est suivi de ses sous-objectifs. « Non évalué » : aucune mesure applicable n’y a encore de réponse.');
    this.table(
      [
        { header: 'Objectif et sous-objectifs', width: 265 },
        { header: 'Score (sur 100)', width: 70, align: 'right' },
        { header: 'Représentation', width: 90 },
        { header: 'Mesures renseignées', width: WIDTH - 425, align: 'right' },
      ],
      groups.map((g) => ({
        group: g.depth === 0,
        cells: [
          { text: label(g.node), indent: Math.min(g.depth, 4) },
          g.score?.score == null ? { text: 'non évalué', color: COLOR.muted } : points(g.score.score),
          this.barCell(g.score?.score ?? null),
          g.score ? `${g.score.answered} sur ${g.score.total}` : '—',
        ],
      })),
    );
  }

  private gapsSection() {
    const d = this.doc;
    const m = this.model;
    const list = m.gaps.slice(0, TOP_GAPS);
    const essential = m.gaps.filter((g) => g.priority === 'essential').length;
    const lead =
      m.gaps.length === 0
        ? m.overall.score === null
          ? 'Aucune mesure n’a encore de réponse : les écarts apparaîtront au fil de la saisie.'
          : 'Aucun écart : toutes les mesures évaluées sont entièrement en place.'
        : `Un écart est une mesure applicable qui n’est pas entièrement en place (score inférieur à 100). Le diagnostic en compte ${m.gaps.length}, dont ${essential} sur des mesures essentielles. Les mesures essentielles viennent en premier, puis les scores les plus bas${m.gaps.length > TOP_GAPS ? ` ; voici les ${TOP_GAPS} premiers` : ''}. Pour chacun, les actions habituellement menées pour progresser.`;
    this.h1('Écarts prioritaires', lead);
    const openByMeasure = new Map<string, PlanAction[]>();
    for (const action of m.plan) {
      if (!(OPEN_ACTIONS as readonly string[]).includes(action.status)) continue;
      for (const x of action.measures) (openByMeasure.get(x.nodeId) ?? openByMeasure.set(x.nodeId, []).get(x.nodeId)!).push(action);
    }
    list.forEach((gap, index) => {
      const node = m.byId.get(gap.nodeId)!;
      const answer = m.answers.get(gap.nodeId);
      const objective = ancestors(m, node)[0];
      const title = `${index + 1}. ${[node.refId, nameOf(node)].filter(Boolean).join(' — ')}`;
      const kind = gap.priority ? `Mesure ${PRIORITY[gap.priority].toLowerCase()}` : 'Mesure';
      const facts = [
        objective ? `objectif ${label(objective)}` : null,
        `réponse : ${answer?.status ? ANSWER_STATUS[answer.status].toLowerCase() : 'aucune'}`,
        answer?.maturity != null ? `maturité ${maturityText(m, answer.maturity)}` : null,
        `score ${points(gap.score)} / 100`,
      ]
        .filter(Boolean)
        .join(' · ');
      const suggestions = (node.suggestedActions ?? []).filter((s) => s.trim());
      const planned = openByMeasure.get(node.id) ?? [];
      const inner = WIDTH - 14;
      const height =
        this.textHeight(title, 'bold', 11, inner) +
        this.textHeight(`${kind} · ${facts}`, 'regular', 9, inner) +
        (suggestions.length ? 16 + suggestions.reduce((s, x) => s + this.textHeight(x, 'regular', 9.5, inner - 12) + 2, 0) : 0) +
        planned.reduce((s, p) => s + this.textHeight(plannedText(p), 'regular', 9.5, inner) + 2, planned.length ? 14 : 0) +
        18;
      this.ensure(Math.min(height, 300));
      const top = d.y;
      const startPage = d.bufferedPageRange().count;
      const x = LEFT + 14;
      this.font('bold', 11, COLOR.text).text(typeset(title), x, d.y, { width: inner, lineGap: 1 });
      d.y += 2;
      this.font('bold', 9, gap.priority === 'essential' ? COLOR.danger : COLOR.text).text(typeset(kind), x, d.y, { width: inner, lineGap: 1, continued: true });
      this.font('regular', 9, COLOR.muted).text(typeset(` · ${facts}`), { width: inner, lineGap: 1 });
      if (suggestions.length) {
        d.y += 5;
        this.font('bold', 9.5, COLOR.primaryStrong).text('Actions suggérées', x, d.y, { width: inner });
        d.y += 1;
        for (const s of suggestions) {
          const y = d.y;
          this.font('regular', 9.5, COLOR.text).text('•', x + 2, y, { width: 10, lineBreak: false });
          this.font('regular', 9.5, COLOR.text).text(typeset(s), x + 12, y, { width: inner - 12, lineGap: 1 });
          d.y += 1.5;
        }
      }
      if (planned.length) {
        d.y += 4;
        this.font('bold', 9.5, COLOR.primaryStrong).text('Déjà au plan d’action', x, d.y, { width: inner });
        d.y += 1;
        for (const p of planned) {
          this.font('regular', 9.5, COLOR.text).text(typeset(plannedText(p)), x, d.y, { width: inner, lineGap: 1 });
          d.y += 1.5;
        }
      }
      const bottom = d.y + 4;
      // A side rule marks the priority: thick for essential measures (the words say it too).
      if (d.bufferedPageRange().count === startPage) {
        d.rect(LEFT, top, gap.priority === 'essential' ? 4 : 2, bottom - top).fill(gap.priority === 'essential' ? COLOR.danger : COLOR.border);
      }
      d.y = bottom + 4;
      d.moveTo(LEFT, d.y).lineTo(LEFT + WIDTH, d.y).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
      d.y += 9;
    });
    if (m.gaps.length > TOP_GAPS) {
      this.para(`Les ${m.gaps.length - TOP_GAPS} autres écarts figurent dans Hygie et dans l’export des réponses (CSV ou Excel).`, { color: COLOR.muted, size: 9.5 });
    }
  }

  private planSection() {
    const m = this.model;
    const open = m.plan.filter((p) => (OPEN_ACTIONS as readonly string[]).includes(p.status));
    const late = open.filter((p) => p.late).length;
    const counted = m.plan.filter((p) => p.status !== 'cancelled');
    const done = counted.filter((p) => p.status === 'done').length;
    const lead =
      open.length === 0
        ? 'Aucune action ouverte n’est liée à ce diagnostic ou à ses mesures. Dans Hygie, le plan d’action se construit à partir des écarts : chaque action a un responsable et une échéance.'
        : `Les actions de l’établissement encore ouvertes, liées à ce diagnostic ou à ses mesures : ${plural(open.length, 'action', 'actions')}, dont ${late} en retard. Avancement : ${plural(done, 'action terminée', 'actions terminées')} sur ${counted.length} (${percent(done, counted.length)} %).`;
    this.h1('Plan d’action', lead);
    if (open.length === 0) return;
    this.table(
      [
        { header: 'Action', width: 190 },
        { header: 'Responsable', width: 90 },
        { header: 'Échéance', width: 96 },
        { header: 'Statut', width: 62 },
        { header: 'Retard', width: WIDTH - 438 },
      ],
      open.map((p) => ({
        cells: [
          {
            text: p.title,
            bold: true,
            sub: [`Priorité ${ACTION_PRIORITY[p.priority]}`, p.measures.length ? `${p.measures.length > 1 ? 'mesures' : 'mesure'} ${p.measures.map((x) => x.refId ?? '?').join(', ')}` : null].filter(Boolean).join(' · '),
          },
          p.ownerName ?? { text: 'Non désigné', color: COLOR.muted },
          p.dueDate ? frenchCalendarDay(p.dueDate) : { text: 'Non fixée', color: COLOR.muted },
          ACTION_STATUS[p.status],
          p.late ? { text: 'En retard', bold: true, color: COLOR.danger } : { text: 'Non', color: COLOR.muted },
        ],
      })),
    );
  }

  private formulaSection() {
    const m = this.model;
    const { min, max } = m.framework.scale;
    if (this.doc.y > BOTTOM - 230) this.newPage();
    this.h1('Comment le score est calculé');
    const steps = max > min && max - min <= 10 ? Array.from({ length: max - min + 1 }, (_, i) => points((i / (max - min)) * 100)) : null;
    const rules = [
      `Une mesure obtient un score de 0 à 100. Avec un niveau de maturité, le score est la place de ce niveau sur l’échelle du référentiel : (niveau − ${min}) / (${max} − ${min}) × 100${steps ? ` (sur l’échelle de ${min} à ${max} : ${steps.join(', ')})` : ''}. Sans niveau : « oui » vaut 100, « partiel » 50, « non » 0.`,
      'Les mesures « non applicables » et celles sans réponse ne comptent pas.',
      'Un groupe (sous-objectif, objectif, l’ensemble du référentiel) obtient la moyenne pondérée des mesures qu’il contient : une mesure essentielle compte deux fois, une mesure recommandée une fois.',
      'Un écart est une mesure applicable dont le score est inférieur à 100 ; la liste des écarts présente d’abord les mesures essentielles, puis les scores les plus bas.',
    ];
    for (const r of rules) {
      const y = this.doc.y;
      this.font('regular', SIZE.body, COLOR.primary).text('•', LEFT + 2, y, { width: 10, lineBreak: false });
      this.doc.y = y;
      this.para(r, { x: LEFT + 14, width: WIDTH - 14, gap: 5 });
    }
    this.doc.y += 4;
    this.para(`Référentiel : ${m.framework.name}. Les scores de ce document sont ceux enregistrés dans Hygie au moment où il a été établi.`, { size: 9.5, color: COLOR.muted });
  }

  /** The running header (from page 2), and the footer with the generation date and « Page X sur Y ». */
  private pageFurniture(): number {
    const m = this.model;
    const a = m.detail.assessment;
    return this.stampPages({ header: `${a.orgName} — ${a.title}`, footer: `Hygie · Restitution du diagnostic · établie le ${frenchDateTime(m.now)}` });
  }
}

function plannedText(p: PlanAction): string {
  const parts = [ACTION_STATUS[p.status].toLowerCase(), p.ownerName ? `responsable ${p.ownerName}` : 'sans responsable', p.dueDate ? `échéance ${frenchCalendarDay(p.dueDate)}` : 'sans échéance'];
  return `« ${p.title} » — ${parts.join(', ')}${p.late ? ' — EN RETARD' : ''}`;
}

/** The paragraph a director reads first, written from the data. */
function summaryText(m: Pick<ReportModel, 'detail' | 'objectives' | 'scores' | 'overall' | 'gaps' | 'plan'>): string {
  const a = m.detail.assessment;
  const out: string[] = [];
  const { score, answered, total } = m.overall;
  if (score === null) {
    out.push(
      answered === 0
        ? `Aucune mesure n’a encore de réponse dans ce diagnostic de ${a.orgName} : le score ne peut pas encore être calculé.`
        : `Les ${plural(answered, 'mesure renseignée est', 'mesures renseignées sont')} « non applicable » : le score ne peut pas encore être calculé.`,
    );
  } else {
    const reading =
      score >= 75 ? 'la sécurité du numérique est bien engagée' : score >= 50 ? 'les bases sont posées mais des points importants restent à traiter' : score >= 25 ? 'la sécurité du numérique reste fragile' : 'la sécurité du numérique est à construire';
    out.push(`Le diagnostic de ${a.orgName} donne un score global de ${points(score)} sur 100 : ${reading}.`);
    out.push(`${answered} ${answered > 1 ? 'mesures' : 'mesure'} sur ${total} ${answered > 1 ? 'ont' : 'a'} reçu une réponse (${percent(answered, total)} %)${a.status === 'draft' && answered < total ? ' ; la saisie n’est pas terminée, les scores peuvent encore évoluer' : ''}.`);
  }
  const scored = m.objectives.map((o) => ({ o, s: m.scores.get(o.id)?.score ?? null })).filter((x): x is { o: ReportNode; s: number } => x.s !== null);
  if (scored.length >= 2) {
    const best = scored.reduce((b, x) => (x.s > b.s ? x : b));
    const worst = scored.reduce((w, x) => (x.s < w.s ? x : w));
    if (Math.round(best.s) === Math.round(worst.s)) {
      out.push(`Les objectifs évalués ont tous un score de ${points(best.s)} sur 100.`);
    } else {
      const name = (x: { o: ReportNode; s: number }) => `« ${nameOf(x.o)} »${x.o.refId ? ` (${x.o.refId}, ${points(x.s)} sur 100)` : ` (${points(x.s)} sur 100)`}`;
      out.push(`L’objectif le plus avancé est ${name(best)} ; le plus en retrait est ${name(worst)}.`);
    }
  }
  const unscored = m.objectives.length - scored.length;
  if (score !== null && unscored > 0) out.push(`${unscored > 1 ? `${unscored} objectifs n’ont` : 'Un objectif n’a'} encore aucune réponse applicable.`);
  const essential = m.gaps.filter((g) => g.priority === 'essential').length;
  if (m.gaps.length > 0) {
    out.push(
      essential > 0
        ? `${essential > 1 ? `${essential} mesures essentielles ne sont pas entièrement en place` : 'Une mesure essentielle n’est pas entièrement en place'}, sur ${plural(m.gaps.length, 'écart', 'écarts')} au total : ${essential > 1 ? 'elles sont' : 'elle est'} à traiter en priorité.`
        : `Aucune mesure essentielle n’est en écart ; ${plural(m.gaps.length, 'mesure recommandée reste', 'mesures recommandées restent')} à améliorer.`,
    );
  } else if (score !== null) {
    out.push('Aucun écart : toutes les mesures évaluées sont entièrement en place.');
  }
  const open = m.plan.filter((p) => (OPEN_ACTIONS as readonly string[]).includes(p.status));
  const late = open.filter((p) => p.late).length;
  out.push(
    open.length === 0
      ? 'Aucune action du plan n’est encore ouverte sur ces mesures.'
      : `Le plan d’action compte ${plural(open.length, 'action ouverte', 'actions ouvertes')} sur ces mesures${late ? `, dont ${late} en retard` : ', aucune en retard'}.`,
  );
  return out.join(' ');
}

function renderPdf(model: ReportModel): Promise<{ data: Buffer; pages: number }> {
  return new ReportPdf(model).render();
}
