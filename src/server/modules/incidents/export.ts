import { and, arrayContains, asc, eq, inArray } from 'drizzle-orm';
import {
  DATA_KINDS,
  INCIDENT_EXPORT_FORMAT,
  SYSTEM_KINDS,
  type DeclarationContent,
  type IncidentDetail,
  type IncidentExport,
  type Nis2Category,
} from '../../../contracts/incidents';
import { CATEGORY_LABELS_FR, type EstablishmentCategory } from '../../../contracts/tenancy';
import { INCIDENT_LABELS_FR } from '../../../contracts/incidents-labels';
import type { Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import { BOTTOM, COLOR, LEFT, MARGIN, PAGE, PdfWriter, typeset, WIDTH, type Cell, type TableStyle } from '../../platform/pdf/pdf';
import { organisations, users } from '../../platform/tenancy/schema';
import { frenchDateTime } from './obligations';
import { revisions } from './schema';
import { incidentDetail, loadIncident } from './service';

/**
 * The exports of a declaration for the official channels: a PDF in French laid out like the
 * official form of declaration of information-system security incidents of health structures
 * (ARS and CERT Santé portal), and the same content as structured JSON. Read-only: access is
 * `incident.read` through `loadIncident` (a foreign incident is a 404; a draft only for those
 * who may declare, and marked « BROUILLON »). Every file handed out is written to the audit log.
 */

export interface ExportFile {
  data: Buffer;
  fileName: string;
  contentType: string;
}

// --- Words: the labels of the web app (plain data), one source for both -------------------------

const L = INCIDENT_LABELS_FR;
const CATEGORY_LABELS = CATEGORY_LABELS_FR;

/** The declaration's fields in French, for the history (« Champs modifiés »). */
export const FIELD_LABELS: Record<string, string> = {
  'declarant.name': 'Nom du déclarant',
  'declarant.jobTitle': 'Fonction du déclarant',
  'declarant.phone': 'Téléphone du déclarant',
  'declarant.email': 'Adresse e-mail du déclarant',
  title: 'Titre',
  description: 'Description',
  discoveredAt: 'Date et heure de découverte',
  startedAt: 'Date et heure de début',
  'perimeter.wholeEstablishment': 'Tout l’établissement est touché',
  'perimeter.orgIds': 'Sites et services touchés',
  'perimeter.details': 'Précisions sur le périmètre',
  systems: 'Systèmes concernés',
  systemsDetails: 'Précisions sur les systèmes',
  data: 'Données concernées',
  dataDetails: 'Précisions sur les données',
  handling: 'État de la prise en charge',
  handlingDetails: 'Mesures prises',
  'impacts.confidentiality': 'Atteinte à la confidentialité',
  'impacts.integrity': 'Atteinte à l’intégrité',
  'impacts.availability': 'Atteinte à la disponibilité',
  'impacts.personalData': 'Violation de données personnelles',
  'impacts.careImpact': 'Conséquences sur la prise en charge des patients',
  'impacts.degradedMode': 'Passage en mode dégradé',
  'impacts.patientsEndangered': 'Patients mis en danger',
  'impacts.careDetails': 'Conséquences sur les soins',
  'impacts.systemsDetails': 'Conséquences sur les systèmes',
  'impacts.operationsDetails': 'Conséquences sur le fonctionnement',
  causes: 'Causes',
  origin: 'Origine',
  type: 'Type d’incident',
  supportRequested: 'Appui demandé à la région',
  supportDetails: 'Appui attendu de la région',
};
export const fieldLabel = (path: string) => FIELD_LABELS[path] ?? path;

const IMPACTS: { key: 'confidentiality' | 'integrity' | 'availability' | 'personalData' | 'careImpact' | 'degradedMode' | 'patientsEndangered'; label: string }[] = [
  { key: 'confidentiality', label: 'Atteinte à la confidentialité (données divulguées ou consultées sans droit)' },
  { key: 'integrity', label: 'Atteinte à l’intégrité (données modifiées, chiffrées ou détruites)' },
  { key: 'availability', label: 'Atteinte à la disponibilité (systèmes ou données inaccessibles)' },
  { key: 'personalData', label: 'Violation de données personnelles (notification à la CNIL)' },
  { key: 'careImpact', label: 'Conséquences sur la prise en charge des patients' },
  { key: 'degradedMode', label: 'Passage en mode dégradé' },
  { key: 'patientsEndangered', label: 'Patients mis en danger' },
];

const NOT_STATED = 'Non renseigné';
const TZ = 'Europe/Paris';
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

/** « INC-2026-001 » → « declaration-INC-2026-001-2026-03-02.pdf »: ASCII only, whatever the reference holds. */
function fileName(reference: string, now: Date, ext: 'pdf' | 'json'): string {
  const ref = reference.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'incident';
  return `declaration-${ref}-${isoDay.format(now)}.${ext}`;
}

// --- The data of an export -------------------------------------------------------------------------------

interface ExportModel {
  detail: IncidentDetail;
  content: DeclarationContent;
  establishment: { id: string; name: string; finess: string | null; category: EstablishmentCategory | null; nis2: Nis2Category };
  /** The sites and services of the perimeter, with their names, in the order given. */
  units: { id: string; kind: 'site' | 'service'; name: string }[];
  revisions: { version: number; at: Date; authorName: string | null; comment: string | null; changedFields: string[] }[];
  createdAt: Date;
  now: Date;
}

export class IncidentExportService {
  constructor(private readonly p: Platform) {}

  /** The declaration as structured JSON, codes beside their French labels. */
  async json(actor: Actor, meta: RequestMeta, id: string): Promise<{ body: IncidentExport; fileName: string }> {
    const model = await this.load(actor, id);
    const body = toJson(model);
    await this.audit(actor, meta, model, { format: 'json' });
    return { body, fileName: fileName(model.detail.incident.reference, model.now, 'json') };
  }

  /** The declaration as a PDF laid out like the official form. */
  async pdf(actor: Actor, meta: RequestMeta, id: string): Promise<ExportFile> {
    const model = await this.load(actor, id);
    const { data, pages } = await new DeclarationPdf(model).render();
    await this.audit(actor, meta, model, { format: 'pdf', pages });
    return { data, fileName: fileName(model.detail.incident.reference, model.now, 'pdf'), contentType: 'application/pdf' };
  }

  private audit(actor: Actor, meta: RequestMeta, model: ExportModel, details: Record<string, unknown>) {
    const i = model.detail.incident;
    return this.p.audit({
      action: 'incident.exported',
      actorId: actor.userId,
      actorLabel: actor.email,
      orgId: i.orgId,
      targetType: 'incident',
      targetId: i.id,
      ip: meta.ip,
      details: { ...details, reference: i.reference, status: i.status },
    });
  }

  /** Access first, then the establishment, the names of the perimeter and the history. */
  private async load(actor: Actor, id: string): Promise<ExportModel> {
    const db = this.p.db;
    const { row } = await loadIncident(db, actor, id, 'incident.read');
    const detail = await incidentDetail(db, id);
    const [org] = await db
      .select({ id: organisations.id, name: organisations.name, finess: organisations.finess, category: organisations.category })
      .from(organisations)
      .where(eq(organisations.id, row.orgId));
    const content = detail.content;
    const wanted = [...new Set(content.perimeter?.orgIds ?? [])];
    // Only the establishment's own sites and services: an id that is not (any more) one of them is left out.
    const found = wanted.length
      ? await db
          .select({ id: organisations.id, kind: organisations.kind, name: organisations.name })
          .from(organisations)
          .where(and(inArray(organisations.id, wanted), arrayContains(organisations.ancestors, [row.orgId]), inArray(organisations.kind, ['site', 'service'])))
      : [];
    const byId = new Map(found.map((u) => [u.id, { id: u.id, kind: u.kind as 'site' | 'service', name: u.name }]));
    const history = await db
      .select({ version: revisions.version, at: revisions.at, comment: revisions.comment, changedFields: revisions.changedFields, authorName: users.displayName })
      .from(revisions)
      .leftJoin(users, eq(users.id, revisions.authorId))
      .where(eq(revisions.incidentId, id))
      .orderBy(asc(revisions.version));
    return {
      detail,
      content,
      establishment: { ...org, nis2: detail.nis2 },
      units: wanted.map((u) => byId.get(u)).filter((u): u is ExportModel['units'][number] => !!u),
      revisions: history.map((r) => ({ ...r, authorName: r.authorName ?? null })),
      createdAt: row.createdAt,
      now: this.p.clock.now(),
    };
  }
}

// --- JSON ------------------------------------------------------------------------------------------------

const orNull = <T>(v: T | undefined | null | ''): T | null => (v === undefined || v === null || v === '' ? null : v);
const labelled = <K extends string>(labels: Record<K, string>, code: K | undefined | null) => (code ? { code, label: labels[code] } : null);

function toJson(m: ExportModel): IncidentExport {
  const c = m.content;
  const i = m.detail.incident;
  const e = m.establishment;
  return {
    format: INCIDENT_EXPORT_FORMAT,
    version: 1,
    exportedAt: m.now.toISOString(),
    draft: i.status === 'draft',
    establishment: {
      id: e.id,
      name: e.name,
      finess: e.finess,
      category: e.category ? { code: e.category, label: CATEGORY_LABELS[e.category] } : null,
      nis2: { code: e.nis2, label: L.nis2[e.nis2] },
    },
    incident: {
      id: i.id,
      reference: i.reference,
      status: { code: i.status, label: L.status[i.status] },
      createdAt: m.createdAt.toISOString(),
      declaredAt: i.declaredAt,
      declaredByName: m.detail.declaredByName,
      closedAt: i.closedAt,
      updatedAt: i.updatedAt,
      version: i.version,
      lessons: m.detail.lessons,
    },
    declaration: {
      declarant: {
        name: orNull(c.declarant?.name),
        jobTitle: orNull(c.declarant?.jobTitle),
        phone: orNull(c.declarant?.phone),
        email: orNull(c.declarant?.email),
      },
      title: orNull(c.title),
      description: orNull(c.description),
      discoveredAt: orNull(c.discoveredAt),
      startedAt: orNull(c.startedAt),
      type: labelled(L.type, c.type),
      origin: labelled(L.origin, c.origin),
      perimeter: { wholeEstablishment: c.perimeter?.wholeEstablishment === true, units: m.units, details: orNull(c.perimeter?.details) },
      systems: SYSTEM_KINDS.filter((k) => c.systems?.includes(k)).map((code) => ({ code, label: L.system[code] })),
      systemsDetails: orNull(c.systemsDetails),
      data: DATA_KINDS.filter((k) => c.data?.includes(k)).map((code) => ({ code, label: L.data[code] })),
      dataDetails: orNull(c.dataDetails),
      impacts: {
        confidentiality: c.impacts?.confidentiality ?? null,
        integrity: c.impacts?.integrity ?? null,
        availability: c.impacts?.availability ?? null,
        personalData: c.impacts?.personalData ?? null,
        careImpact: c.impacts?.careImpact ?? null,
        degradedMode: c.impacts?.degradedMode ?? null,
        patientsEndangered: c.impacts?.patientsEndangered ?? null,
        careDetails: orNull(c.impacts?.careDetails),
        systemsDetails: orNull(c.impacts?.systemsDetails),
        operationsDetails: orNull(c.impacts?.operationsDetails),
      },
      causes: orNull(c.causes),
      handling: labelled(L.handling, c.handling),
      handlingDetails: orNull(c.handlingDetails),
      supportRequested: c.supportRequested ?? null,
      supportDetails: orNull(c.supportDetails),
    },
    obligations: m.detail.obligations.map((o) => ({
      kind: { code: o.kind, label: L.obligation[o.kind] },
      dueAt: o.dueAt,
      status: { code: o.status, label: L.obligationStatus[o.status] },
      doneAt: o.doneAt,
      doneByName: o.doneByName,
      reference: o.reference,
      note: o.note,
    })),
    revisions: m.revisions.map((r) => ({
      version: r.version,
      at: r.at.toISOString(),
      authorName: r.authorName,
      comment: r.comment,
      changedFields: r.changedFields.map((path) => ({ path, label: fieldLabel(path) })),
    })),
  };
}

// --- The PDF ---------------------------------------------------------------------------------------------

/** Inside a section's box. */
const PAD = 10;
const IN_LEFT = LEFT + PAD;
const IN_WIDTH = WIDTH - 2 * PAD;
const SIZE = { label: 8.5, value: 10.5, cell: 9, small: 8 };
/** A table inside a section's box. */
const BOXED_TABLE: TableStyle = { left: IN_LEFT, width: IN_WIDTH, pad: { x: 4, y: 4 }, headerFill: COLOR.primaryStrong, size: SIZE.cell, subSize: SIZE.small, after: 6 };

interface Mark {
  page: number;
  y: number;
}

/** Draws the form, section after section; page numbers are added at the end, once the count is known. */
class DeclarationPdf extends PdfWriter {
  private readonly draft: boolean;

  constructor(private readonly m: ExportModel) {
    const i = m.detail.incident;
    const draft = i.status === 'draft';
    super({
      title: `Déclaration d’incident de sécurité des systèmes d’information — ${i.reference}${draft ? ' (brouillon)' : ''}`,
      subject: `${m.establishment.name} — ${i.title}`,
      keywords: 'déclaration, incident de sécurité, ARS, CERT Santé, établissement de santé',
      createdAt: m.now,
    });
    this.draft = draft;
  }

  async render(): Promise<{ data: Buffer; pages: number }> {
    this.titleBlock();
    this.sections();
    const pages = this.pageFurniture();
    return { data: await this.finish(), pages };
  }

  // --- primitives ---

  private get page(): number {
    const r = this.doc.bufferedPageRange();
    return r.start + r.count - 1;
  }

  private mark(): Mark {
    return { page: this.page, y: this.doc.y };
  }

  /** Text that may be long: it flows onto the next pages (pdfkit breaks at the bottom margin). */
  private flow(text: string, opts: { x?: number; width?: number; size?: number; color?: string; bold?: boolean } = {}) {
    this.font(opts.bold ? 'bold' : 'regular', opts.size ?? SIZE.value, opts.color ?? COLOR.text).text(typeset(text), opts.x ?? IN_LEFT, this.doc.y, {
      width: opts.width ?? IN_WIDTH,
      lineGap: 2,
    });
    this.doc.x = LEFT;
  }

  /** The outline of a box from one mark to another, across pages if need be. */
  private outline(from: Mark, to: Mark) {
    const d = this.doc;
    const saved = { x: d.x, y: d.y };
    for (let p = from.page; p <= to.page; p++) {
      d.switchToPage(p);
      const top = p === from.page ? from.y : MARGIN.top - 8;
      const bottom = p === to.page ? to.y : BOTTOM + 6;
      d.lineWidth(0.8).strokeColor(COLOR.border);
      d.moveTo(LEFT, top).lineTo(LEFT, bottom).stroke();
      d.moveTo(LEFT + WIDTH, top).lineTo(LEFT + WIDTH, bottom).stroke();
      if (p === from.page) d.moveTo(LEFT, top).lineTo(LEFT + WIDTH, top).stroke();
      if (p === to.page) d.moveTo(LEFT, bottom).lineTo(LEFT + WIDTH, bottom).stroke();
    }
    d.switchToPage(to.page);
    d.x = saved.x;
    d.y = saved.y;
  }

  /** A numbered section of the form: a labelled box whose content may run over several pages. */
  private section(n: number, title: string, body: () => void) {
    const d = this.doc;
    this.ensure(90);
    const start = this.mark();
    const h = 22;
    d.rect(LEFT, d.y, WIDTH, h).fill(COLOR.primary);
    this.font('bold', 11.5, COLOR.white).text(typeset(`${n}. ${title}`), IN_LEFT, d.y + 5.5, { width: IN_WIDTH, lineBreak: false });
    d.y = start.y + h + 8;
    body();
    d.y += 2;
    this.outline(start, this.mark());
    d.x = LEFT;
    d.y += 14;
  }

  private subheading(text: string) {
    this.ensure(40);
    this.doc.y += 2;
    this.font('bold', 10, COLOR.primaryStrong).text(typeset(text), IN_LEFT, this.doc.y, { width: IN_WIDTH });
    const y = this.doc.y + 1;
    this.doc.moveTo(IN_LEFT, y).lineTo(IN_LEFT + IN_WIDTH, y).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    this.doc.y = y + 5;
  }

  /** A labelled field of the form; long values flow onto the next pages. */
  private field(label: string, value: string | null | undefined, opts: { x?: number; width?: number; emptyText?: string; placed?: boolean } = {}) {
    const x = opts.x ?? IN_LEFT;
    const width = opts.width ?? IN_WIDTH;
    const shown = value && value.trim() ? value : null;
    // A field placed by its row (side by side) does not choose its page itself.
    if (!opts.placed) this.ensure(this.textHeight(label, 'bold', SIZE.label, width) + Math.min(40, shown ? this.textHeight(shown, 'regular', SIZE.value, width) : 14) + 8);
    this.font('bold', SIZE.label, COLOR.muted).text(typeset(label), x, this.doc.y, { width, lineGap: 1 });
    this.doc.y += 1;
    if (shown) this.flow(shown, { x, width });
    else this.flow(opts.emptyText ?? NOT_STATED, { x, width, color: COLOR.muted });
    this.doc.y += 6;
  }

  /** Short fields side by side, two per row. */
  private fieldPairs(pairs: [string, string | null | undefined][]) {
    const gap = 14;
    const w = (IN_WIDTH - gap) / 2;
    for (let k = 0; k < pairs.length; k += 2) {
      const row = pairs.slice(k, k + 2);
      const heights = row.map(([label, value]) => this.textHeight(label, 'bold', SIZE.label, w, 1) + 1 + this.textHeight(value?.trim() ? value : NOT_STATED, 'regular', SIZE.value, w, 2));
      this.ensure(Math.max(...heights) + 6);
      const y = this.doc.y;
      row.forEach(([label, value], j) => {
        this.doc.y = y;
        this.field(label, value, { x: IN_LEFT + j * (w + gap), width: w, placed: true });
      });
      this.doc.y = y + Math.max(...heights) + 6;
    }
  }

  /** A check box drawn as a square (crossed when checked): no font glyph that might be missing. */
  private box(x: number, y: number, checked: boolean) {
    const d = this.doc;
    const s = 8.5;
    d.rect(x, y, s, s).lineWidth(0.8).strokeColor(COLOR.text).stroke();
    if (checked) {
      d.lineWidth(1.3)
        .strokeColor(COLOR.text)
        .moveTo(x + 1.8, y + 1.8)
        .lineTo(x + s - 1.8, y + s - 1.8)
        .moveTo(x + s - 1.8, y + 1.8)
        .lineTo(x + 1.8, y + s - 1.8)
        .stroke();
    }
  }

  /** Every choice of a list with its box, the chosen ones crossed, then the choice in words. */
  private checkboxes<K extends string>(label: string, all: readonly K[], chosen: readonly K[] | undefined, labels: Record<K, string>) {
    const d = this.doc;
    this.ensure(40);
    this.font('bold', SIZE.label, COLOR.muted).text(typeset(label), IN_LEFT, d.y, { width: IN_WIDTH });
    d.y += 3;
    const cols = 2;
    const w = IN_WIDTH / cols;
    for (let k = 0; k < all.length; k += cols) {
      const row = all.slice(k, k + cols);
      const h = Math.max(...row.map((v) => this.textHeight(labels[v], 'regular', 9.5, w - 18, 1))) + 4;
      this.ensure(h);
      const y = d.y;
      row.forEach((v, j) => {
        const x = IN_LEFT + j * w;
        const checked = !!chosen?.includes(v);
        this.box(x, y + 1.5, checked);
        this.font(checked ? 'bold' : 'regular', 9.5, COLOR.text).text(typeset(labels[v]), x + 14, y, { width: w - 18, lineGap: 1 });
      });
      d.y = y + h;
    }
    const picked = all.filter((v) => chosen?.includes(v)).map((v) => labels[v]);
    d.y += 2;
    this.flow(picked.length ? `Cochés : ${picked.join(' ; ')}.` : 'Aucune case cochée.', { size: 9, color: COLOR.muted });
    d.y += 6;
  }

  /** A yes/no question of the form: « ☒ Oui ☐ Non », drawn boxes; neither crossed while not stated. */
  private yesNo(label: string, value: boolean | undefined) {
    const d = this.doc;
    const answerW = 150;
    const h = this.textHeight(label, 'regular', SIZE.value, IN_WIDTH - answerW - 10, 1) + 5;
    this.ensure(h);
    const y = d.y;
    this.font('regular', SIZE.value, COLOR.text).text(typeset(label), IN_LEFT, y, { width: IN_WIDTH - answerW - 10, lineGap: 1 });
    let x = IN_LEFT + IN_WIDTH - answerW;
    for (const [word, on] of [
      ['Oui', value === true],
      ['Non', value === false],
    ] as const) {
      this.box(x, y + 2, on);
      this.font(on ? 'bold' : 'regular', SIZE.value, COLOR.text).text(word, x + 13, y, { width: 30, lineBreak: false });
      x += 46;
    }
    if (value === undefined) this.font('regular', 8.5, COLOR.muted).text(typeset('non renseigné'), x - 2, y + 1.5, { width: 60, lineBreak: false });
    d.y = y + h;
    d.moveTo(IN_LEFT, d.y - 2).lineTo(IN_LEFT + IN_WIDTH, d.y - 2).lineWidth(0.4).strokeColor(COLOR.rule).stroke();
    d.y += 2;
  }

  // --- the form ---

  private titleBlock() {
    const d = this.doc;
    const m = this.m;
    const i = m.detail.incident;
    d.rect(0, 0, PAGE.width, 104).fill(COLOR.primary);
    this.font('bold', 10, COLOR.white).text('Hygie', LEFT, 22, { width: WIDTH });
    this.font('bold', 16.5, COLOR.white).text(typeset('Déclaration d’incident de sécurité des systèmes d’information'), LEFT, 38, { width: WIDTH, lineGap: 1 });
    this.font('regular', 9.5, COLOR.white).text(
      typeset('Structures de santé et médico-sociales — à transmettre à l’agence régionale de santé (ARS) et au CERT Santé par le portail de signalement'),
      LEFT,
      d.y + 3,
      { width: WIDTH, lineGap: 1 },
    );
    d.y = 122;

    if (this.draft) {
      const note = 'BROUILLON — cette déclaration n’a pas encore été faite : ce document sert à la relire, il ne vaut pas déclaration.';
      const h = this.textHeight(note, 'bold', 10, WIDTH - 24) + 14;
      d.rect(LEFT, d.y, WIDTH, h).lineWidth(1).strokeColor(COLOR.danger).stroke();
      d.rect(LEFT, d.y, 5, h).fill(COLOR.danger);
      this.font('bold', 10, COLOR.danger).text(typeset(note), LEFT + 14, d.y + 7, { width: WIDTH - 24, lineGap: 1.5 });
      d.y += 14;
    }

    const status = i.status === 'declared' ? 'Déclaré' : i.status === 'closed' ? 'Clos' : 'BROUILLON (non déclaré)';
    const facts: [string, string][] = [
      ['Référence', i.reference],
      ['Statut', status],
      ['Établissement', m.establishment.name],
      ['Découvert le', i.discoveredAt ? frenchDateTime(new Date(i.discoveredAt)) : NOT_STATED],
      ['Déclaré le', i.declaredAt ? `${frenchDateTime(new Date(i.declaredAt))}${m.detail.declaredByName ? `, par ${m.detail.declaredByName}` : ''}` : 'Pas encore déclaré'],
    ];
    if (i.closedAt) facts.push(['Clos le', frenchDateTime(new Date(i.closedAt))]);
    facts.push(['Document établi le', frenchDateTime(m.now)]);
    const labelW = 120;
    const start = d.y;
    d.y += 8;
    for (const [k, v] of facts) {
      const y = d.y;
      this.font('regular', 10, COLOR.muted).text(typeset(k), LEFT + PAD, y, { width: labelW });
      this.font('bold', 10.5, k === 'Statut' && this.draft ? COLOR.danger : COLOR.text).text(typeset(v), LEFT + PAD + labelW, y, { width: WIDTH - 2 * PAD - labelW, lineGap: 1 });
      d.y += 4;
    }
    d.y += 4;
    d.rect(LEFT, start, WIDTH, d.y - start).lineWidth(1.2).strokeColor(COLOR.primary).stroke();
    d.y += 8;
    this.font('regular', 8.5, COLOR.muted).text(
      typeset('Document confidentiel : il décrit une faiblesse de la sécurité de l’établissement. Ne le transmettez que par les canaux officiels et aux personnes qui en ont besoin.'),
      LEFT,
      d.y,
      { width: WIDTH, lineGap: 1 },
    );
    d.y += 14;
  }

  private sections() {
    const m = this.m;
    const c = m.content;
    const e = m.establishment;
    const i = m.detail.incident;

    this.section(1, 'Structure déclarante et déclarant', () => {
      this.subheading('Structure déclarante');
      this.fieldPairs([
        ['Raison sociale', e.name],
        ['Numéro FINESS', e.finess],
        ['Catégorie d’établissement', e.category ? CATEGORY_LABELS[e.category] : null],
        ['Statut NIS2', L.nis2[e.nis2]],
      ]);
      this.subheading('Déclarant');
      this.fieldPairs([
        ['Nom et prénom', c.declarant?.name],
        ['Fonction', c.declarant?.jobTitle],
        ['Téléphone', c.declarant?.phone],
        ['Adresse e-mail', c.declarant?.email],
      ]);
    });

    this.section(2, 'Description de l’incident', () => {
      this.field('Titre', c.title);
      this.field('Description des faits', c.description);
      this.fieldPairs([
        ['Date et heure de découverte', c.discoveredAt ? frenchDateTime(new Date(c.discoveredAt)) : null],
        ['Date et heure de début (si connue)', c.startedAt ? frenchDateTime(new Date(c.startedAt)) : null],
        ['Type d’incident', c.type ? L.type[c.type] : null],
        ['Origine', c.origin ? L.origin[c.origin] : null],
      ]);
    });

    this.section(3, 'Périmètre', () => {
      this.yesNo('Tout l’établissement est touché', c.perimeter?.wholeEstablishment);
      this.doc.y += 4;
      const units = m.units.map((u) => `${u.name} (${u.kind === 'site' ? 'site' : 'service'})`);
      this.field('Sites et services touchés', units.length ? units.join(' ; ') : null, { emptyText: c.perimeter?.wholeEstablishment ? 'Tout l’établissement' : 'Aucun site ni service précisé' });
      this.field('Précisions sur le périmètre', c.perimeter?.details);
    });

    this.section(4, 'Systèmes et données concernés', () => {
      this.checkboxes('Systèmes d’information touchés', SYSTEM_KINDS, c.systems, L.system);
      this.field('Précisions sur les systèmes', c.systemsDetails);
      this.checkboxes('Données concernées', DATA_KINDS, c.data, L.data);
      this.field('Précisions sur les données', c.dataDetails);
    });

    this.section(5, 'Impacts', () => {
      for (const impact of IMPACTS) this.yesNo(impact.label, c.impacts?.[impact.key]);
      this.doc.y += 4;
      this.field('Conséquences sur les soins', c.impacts?.careDetails);
      this.field('Conséquences sur les systèmes', c.impacts?.systemsDetails);
      this.field('Conséquences sur le fonctionnement de la structure', c.impacts?.operationsDetails);
    });

    this.section(6, 'Causes', () => {
      this.field('Causes identifiées', c.causes, { emptyText: 'Pas encore connues.' });
    });

    this.section(7, 'Prise en charge', () => {
      this.field('État de la prise en charge', c.handling ? L.handling[c.handling] : null);
      this.field('Mesures prises', c.handlingDetails);
      this.yesNo('Appui demandé à la région (ARS, GRADeS)', c.supportRequested);
      this.doc.y += 4;
      this.field('Appui attendu', c.supportDetails, { emptyText: c.supportRequested ? NOT_STATED : 'Sans objet' });
      if (i.status === 'closed') {
        this.subheading('Clôture');
        this.field('Clos le', i.closedAt ? frenchDateTime(new Date(i.closedAt)) : null);
        this.field('Retour d’expérience', m.detail.lessons);
      }
    });

    this.section(8, 'Obligations réglementaires', () => {
      const list = m.detail.obligations;
      if (!list.length) {
        this.flow(
          this.draft
            ? 'Les obligations (autorités sanitaires, CNIL, NIS2) et leurs échéances sont calculées au moment de la déclaration.'
            : 'Aucune obligation enregistrée.',
          { color: COLOR.muted },
        );
        this.doc.y += 6;
        return;
      }
      this.table(
        [
          { header: 'Obligation', width: 138 },
          { header: 'Échéance', width: 100 },
          { header: 'Statut', width: 58 },
          { header: 'Faite le', width: 92 },
          { header: 'Référence', width: IN_WIDTH - 388 },
        ],
        list.map((o) => {
          const late = o.status === 'pending' && new Date(o.dueAt).getTime() < m.now.getTime();
          const cells: Cell[] = [
            { text: L.obligation[o.kind], bold: true, sub: o.note ? `Note : ${o.note}` : undefined },
            frenchDateTime(new Date(o.dueAt)),
            late
              ? { text: L.obligationStatus.late, bold: true, color: COLOR.danger }
              : { text: L.obligationStatus[o.status], bold: o.status === 'done', color: o.status === 'done' ? COLOR.success : COLOR.text },
            o.doneAt ? { text: frenchDateTime(new Date(o.doneAt)), sub: o.doneByName ? `par ${o.doneByName}` : undefined } : { text: '—', color: COLOR.muted },
            o.reference ?? { text: '—', color: COLOR.muted },
          ];
          return { cells };
        }),
        BOXED_TABLE,
      );
    });

    this.section(9, 'Historique des mises à jour', () => {
      if (!m.revisions.length) {
        this.flow('Aucune version déclarée pour l’instant : l’historique commence à la déclaration.', { color: COLOR.muted });
        this.doc.y += 6;
        return;
      }
      this.table(
        [
          { header: 'Version', width: 48 },
          { header: 'Date', width: 120 },
          { header: 'Auteur', width: 100 },
          { header: 'Champs modifiés', width: IN_WIDTH - 268 },
        ],
        m.revisions.map((r) => ({
          cells: [
            String(r.version),
            frenchDateTime(r.at),
            r.authorName ?? { text: 'Compte supprimé', color: COLOR.muted },
            {
              text: r.changedFields.length ? r.changedFields.map(fieldLabel).join(', ') : 'Déclaration initiale',
              sub: r.comment && !(r.changedFields.length === 0 && r.comment === 'Déclaration initiale') ? `Commentaire : ${r.comment}` : undefined,
            },
          ],
        })),
        BOXED_TABLE,
      );
    });
  }

  /** The running header (from page 2), the footer with « Page X sur Y », and the draft mark on every page. */
  private pageFurniture(): number {
    const m = this.m;
    const i = m.detail.incident;
    const d = this.doc;
    return this.stampPages({
      header: `Déclaration d’incident ${i.reference} — ${m.establishment.name}`,
      footer: `Hygie · Déclaration ${i.reference}${this.draft ? ' (brouillon)' : ''} · établie le ${frenchDateTime(m.now)}`,
      decorate: () => {
        if (!this.draft) return;
        d.save();
        d.rotate(-35, { origin: [PAGE.width / 2, PAGE.height / 2] });
        d.fillOpacity(0.1);
        this.font('bold', 96, COLOR.danger).text('BROUILLON', 0, PAGE.height / 2 - 48, { width: PAGE.width, align: 'center', lineBreak: false });
        d.restore();
      },
    });
  }
}
