import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/**
 * The building blocks of Hygie's PDF documents (pdfkit): the A4 page and its margins, the
 * palette, the embedded font (Source Sans 3), French typesetting of the text, and `PdfWriter`,
 * a base class that a module extends with its own layout (a report, a form). The writer
 * knows how to start a page, measure and wrap text, draw a table that breaks across pages,
 * and stamp every page with a running header and a footer « Page X sur Y ». It knows no module.
 */

// --- Page and palette ----------------------------------------------------------------------------

/** The app's colours, chosen for contrast on white (RGAA / WCAG AA). */
export const COLOR = {
  primary: '#0E5A6E',
  primaryStrong: '#083D4B',
  text: '#1B1F23',
  muted: '#545B64',
  border: '#6B737D',
  rule: '#C9CED4',
  surface: '#F6F7F9',
  tint: '#E4EEF1',
  danger: '#B3261E',
  warning: '#8A5300',
  success: '#1E6B3A',
  white: '#FFFFFF',
};
/** A4, in points. */
export const PAGE = { width: 595.28, height: 841.89 };
export const MARGIN = { top: 62, bottom: 70, left: 50, right: 50 };
export const LEFT = MARGIN.left;
export const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** Where the content of a page ends (the footer lies below). */
export const BOTTOM = PAGE.height - MARGIN.bottom;

// --- The font ------------------------------------------------------------------------------------

const resolveModule = createRequire(import.meta.url).resolve;
let fonts: { regular: Buffer; bold: Buffer } | undefined;
/** Source Sans 3 (the app's font, from npm), embedded so that accents render everywhere; read once per process. */
export function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(resolveModule('@fontsource/source-sans-3/files/source-sans-3-latin-400-normal.woff')),
    bold: readFileSync(resolveModule('@fontsource/source-sans-3/files/source-sans-3-latin-700-normal.woff')),
  };
  return fonts;
}

// --- Text ----------------------------------------------------------------------------------------

/** Characters the embedded (latin) font draws, beyond U+0000-00FF. */
const EXTRA_GLYPHS = new Set([0x131, 0x152, 0x153, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122, 0x2212]);
/** Letters with no decomposition in Unicode, and their closest ASCII letter. */
const TRANSLITERATE: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', Ŧ: 'T', ŧ: 't', ĸ: 'k', Ŀ: 'L', ŀ: 'l' };
const SPACES = /[\u2000-\u200a\u202f\u205f\u3000]/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
const drawable = (c: string) => c.codePointAt(0)! <= 0xff || EXTRA_GLYPHS.has(c.codePointAt(0)!);

export interface TypesetOptions {
  /** Also keep numbers with their sign: a non-breaking space before « % » and around the slash of « 3 / 4 ». */
  numbers?: boolean;
}

/**
 * Text as the PDF draws it: French typography (non-breaking spaces before : ; ! ? and inside
 * « »), and characters outside the embedded font (emoji, other scripts) replaced by their
 * closest letter or « ? », never by a missing glyph. Control characters are dropped.
 */
export function typeset(text: string, options: TypesetOptions = {}): string {
  const cleaned = text
    .replace(SPACES, '\u00a0')
    .replace(ZERO_WIDTH, '')
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
  let out = '';
  for (const ch of cleaned) {
    if (drawable(ch)) {
      out += ch;
      continue;
    }
    const base = TRANSLITERATE[ch] ?? ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += base && [...base].every(drawable) ? base : '?';
  }
  if (!options.numbers) return out.replace(/ ([:;!?»])/g, '\u00a0$1').replace(/« /g, '«\u00a0');
  return out
    .replace(/ ([:;!?%»])/g, '\u00a0$1')
    .replace(/« /g, '«\u00a0')
    .replace(/(\d) \/ (\d)/g, '$1\u00a0/\u00a0$2');
}

// --- Tables --------------------------------------------------------------------------------------

export type Doc = PDFKit.PDFDocument;
export type FontKind = 'regular' | 'bold';
export type Align = 'left' | 'right' | 'center';

export interface Column {
  header: string;
  width: number;
  align?: Align;
}
export interface CellSpec {
  text: string;
  bold?: boolean;
  color?: string;
  /** a second, smaller and muted line */
  sub?: string;
  /** a drawing (a bar, a mark) in place of the text: its height, and how to draw it at the cell's top left */
  drawing?: { height: number; draw: (x: number, y: number, width: number) => void };
  /** indentation level (sub-groups), 12 points each */
  indent?: number;
}
export type Cell = string | CellSpec;
export interface Row {
  cells: Cell[];
  /** a group row (a heading row above the rows it groups): tinted and bold */
  group?: boolean;
}
/** Where a table stands and how it is set; by default the full width of the page. */
export interface TableStyle {
  left?: number;
  width?: number;
  /** padding inside a cell */
  pad?: { x: number; y: number };
  headerFill?: string;
  /** the font size of the cells, and of their second line */
  size?: number;
  subSize?: number;
  /** the space left below the table */
  after?: number;
}

// --- The writer ----------------------------------------------------------------------------------

/** What the document says about itself (the PDF's properties). */
export interface PdfInfo {
  title: string;
  subject: string;
  keywords: string;
  createdAt: Date;
}

/**
 * An A4 document in French, in Source Sans 3, built page after page into memory. A module
 * extends it with its layout, then calls `stampPages` (once every page is drawn) and
 * `finish` to get the file.
 */
export abstract class PdfWriter {
  protected readonly doc: Doc;
  private readonly chunks: Buffer[] = [];

  constructor(
    info: PdfInfo,
    private readonly typography: TypesetOptions = {},
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      bufferPages: true,
      autoFirstPage: true,
      lang: 'fr-FR',
      displayTitle: true,
      pdfVersion: '1.7',
      info: {
        Title: info.title,
        Author: 'Hygie',
        Subject: info.subject,
        Keywords: info.keywords,
        Creator: 'Hygie',
        CreationDate: info.createdAt,
      },
    });
    const f = loadFonts();
    this.doc.registerFont('regular', f.regular);
    this.doc.registerFont('bold', f.bold);
    this.doc.on('data', (c: Buffer) => this.chunks.push(c));
  }

  /** Ends the document and hands out its bytes. */
  protected async finish(): Promise<Buffer> {
    const done = new Promise<void>((resolve, reject) => {
      this.doc.on('end', () => resolve());
      this.doc.on('error', reject);
    });
    this.doc.end();
    await done;
    return Buffer.concat(this.chunks);
  }

  /** Sets the font, its size and its colour; returns the document to chain `.text(…)`. */
  protected font(kind: FontKind, size: number, color = COLOR.text) {
    return this.doc.font(kind).fontSize(size).fillColor(color);
  }

  /** Starts a new page when `height` points no longer fit on this one. */
  protected ensure(height: number) {
    if (this.doc.y + height > BOTTOM) this.newPage();
  }

  protected newPage() {
    this.doc.addPage();
    this.doc.x = LEFT;
    this.doc.y = MARGIN.top;
  }

  /** The height `text` takes once typeset and wrapped to `width`. */
  protected textHeight(text: string, kind: FontKind, size: number, width: number, lineGap = 1.5) {
    return this.doc.font(kind).fontSize(size).heightOfString(typeset(text, this.typography), { width, lineGap });
  }

  /** A table that breaks across pages, repeating its header; odd rows on a light ground. */
  protected table(columns: Column[], rows: Row[], style: TableStyle = {}) {
    const d = this.doc;
    const left = style.left ?? LEFT;
    const width = style.width ?? WIDTH;
    const pad = style.pad ?? { x: 5, y: 4.5 };
    const size = style.size ?? 9.5;
    const subSize = style.subSize ?? 8.5;
    const t = (text: string) => typeset(text, this.typography);
    const header = () => {
      const h = Math.max(...columns.map((c) => this.textHeight(c.header, 'bold', size, c.width - 2 * pad.x))) + 2 * pad.y;
      this.ensure(h + 24);
      const y = d.y;
      d.rect(left, y, width, h).fill(style.headerFill ?? COLOR.primary);
      let x = left;
      for (const c of columns) {
        this.font('bold', size, COLOR.white).text(t(c.header), x + pad.x, y + pad.y, { width: c.width - 2 * pad.x, align: c.align ?? 'left', lineGap: 1.5 });
        x += c.width;
      }
      d.y = y + h;
    };
    header();
    rows.forEach((row, index) => {
      const specs = row.cells.map((c): CellSpec => (typeof c === 'string' ? { text: c } : c));
      const heights = specs.map((s, i) => {
        const w = columns[i].width - 2 * pad.x - (s.indent ?? 0) * 12;
        const main = s.drawing ? s.drawing.height : this.textHeight(s.text, s.bold || row.group ? 'bold' : 'regular', size, w);
        return main + (s.sub ? this.textHeight(s.sub, 'regular', subSize, w) + 1.5 : 0);
      });
      const h = Math.max(...heights) + 2 * pad.y;
      if (d.y + h > BOTTOM) {
        this.newPage();
        header();
      }
      const y = d.y;
      if (row.group) d.rect(left, y, width, h).fill(COLOR.tint);
      else if (index % 2 === 1) d.rect(left, y, width, h).fill(COLOR.surface);
      let x = left;
      specs.forEach((s, i) => {
        const c = columns[i];
        const indent = (s.indent ?? 0) * 12;
        const w = c.width - 2 * pad.x - indent;
        const cx = x + pad.x + indent;
        if (s.drawing) {
          s.drawing.draw(cx, y + pad.y, w);
        } else {
          this.font(s.bold || row.group ? 'bold' : 'regular', size, s.color ?? COLOR.text).text(t(s.text), cx, y + pad.y, { width: w, align: c.align ?? 'left', lineGap: 1.5 });
          if (s.sub) this.font('regular', subSize, COLOR.muted).text(t(s.sub), cx, d.y + 1.5, { width: w, align: c.align ?? 'left', lineGap: 1.5 });
        }
        x += c.width;
      });
      d.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
      d.x = LEFT;
      d.y = y + h;
    });
    d.y += style.after ?? 10;
  }

  /**
   * Stamps every page, once all are drawn: the running `header` from page 2, then what
   * `decorate` draws (a watermark), then the footer line with `footer` and « Page X sur Y ».
   * Returns the number of pages.
   */
  protected stampPages(opts: { header: string; footer: string; decorate?: () => void }): number {
    const d = this.doc;
    const range = d.bufferedPageRange();
    const total = range.count;
    for (let p = range.start; p < range.start + range.count; p++) {
      d.switchToPage(p);
      const savedBottom = d.page.margins.bottom;
      const savedTop = d.page.margins.top;
      d.page.margins.bottom = 0;
      d.page.margins.top = 0;
      if (p > range.start) {
        this.font('regular', 8, COLOR.muted).text(typeset(opts.header, this.typography), LEFT, 30, { width: WIDTH, height: 10, ellipsis: true, lineBreak: false });
        d.moveTo(LEFT, 43).lineTo(LEFT + WIDTH, 43).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
      }
      opts.decorate?.();
      const fy = PAGE.height - 44;
      d.moveTo(LEFT, fy - 8).lineTo(LEFT + WIDTH, fy - 8).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
      this.font('regular', 8, COLOR.muted).text(typeset(opts.footer, this.typography), LEFT, fy, { width: WIDTH - 90, height: 10, ellipsis: true, lineBreak: false });
      this.font('bold', 8, COLOR.text).text(`Page ${p - range.start + 1} sur ${total}`, LEFT + WIDTH - 90, fy, { width: 90, align: 'right', lineBreak: false });
      d.page.margins.bottom = savedBottom;
      d.page.margins.top = savedTop;
    }
    d.flushPages();
    return total;
  }
}
