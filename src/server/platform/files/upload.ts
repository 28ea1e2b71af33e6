import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, invalidField } from '../http/errors';

/** The largest file accepted, also the multipart limit set in app.ts. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Non-file fields a form may carry alongside its one file. */
export const MAX_UPLOAD_FIELDS = 5;

/**
 * The accepted types, by the MIME type detected from the content, with the extensions the
 * stored name may end with (the first is added when the name ends otherwise).
 */
const ALLOWED: Record<string, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
};
/** Text has no magic number: it is recognised by its extension, and accepted only if it is clean UTF-8. */
const TEXT: Record<string, string> = { txt: 'text/plain', csv: 'text/csv' };

export const ACCEPTED_TYPES_LABEL = 'PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, texte (.txt) ou CSV';
const REFUSED = `Ce type de fichier n’est pas accepté. Formats acceptés : ${ACCEPTED_TYPES_LABEL}.`;
const TOO_LARGE = 'Le fichier dépasse 10 Mo : réduisez-le (PDF compressé, image moins lourde) ou déposez plutôt un lien.';

export const fileTooLarge = () => new AppError(413, 'validation', TOO_LARGE, [{ path: 'file', message: TOO_LARGE }]);

export interface UploadedFile {
  data: Buffer;
  /** the name sent by the browser: for display only, never used as a storage key */
  fileName: string;
}

export interface CheckedFile {
  data: Buffer;
  /** the type detected from the content (text/plain or text/csv for text) */
  mimeType: string;
  /** a clean display name whose extension matches the detected type */
  fileName: string;
  size: number;
}

const extensionOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

/** The last path segment, without control characters nor quotes, at most 180 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  return (
    base
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/["<>|*?:]/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\.+/, '')
      .slice(-180)
  );
}

function withExtension(name: string, extensions: readonly string[]): string {
  const clean = cleanFileName(name);
  if (!clean) return `fichier.${extensions[0]}`;
  return extensions.includes(extensionOf(clean)) ? clean : `${clean}.${extensions[0]}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Markup is not "text" here: a page or an image in disguise is refused even named .txt. */
const MARKUP = /^(\ufeff)?\s*<(!doctype|html|head|body|script|svg|\?xml|iframe|object)\b/i;

function isCleanText(data: Buffer): boolean {
  if (data.includes(0)) return false;
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return false;
  }
  return !MARKUP.test(text.slice(0, 1024));
}

/**
 * Checks an uploaded file: not empty, at most 10 MB, a type detected from its CONTENT
 * among the accepted ones (the name and the type declared by the browser are not trusted).
 * Throws a French 400 (413 when too large) naming the field `file`.
 */
export async function checkUpload(file: UploadedFile): Promise<CheckedFile> {
  const { data } = file;
  if (data.length === 0) throw invalidField('file', 'Le fichier est vide.');
  if (data.length > MAX_UPLOAD_BYTES) throw fileTooLarge();
  let detected: { mime: string } | undefined;
  try {
    detected = await fileTypeFromBuffer(data);
  } catch {
    detected = undefined; // a damaged container: treated as an unknown type
  }
  if (detected) {
    const extensions = ALLOWED[detected.mime];
    if (!extensions) throw invalidField('file', REFUSED);
    return { data, mimeType: detected.mime, fileName: withExtension(file.fileName, extensions), size: data.length };
  }
  const name = cleanFileName(file.fileName);
  const textType = TEXT[extensionOf(name)];
  if (!textType || !isCleanText(data)) throw invalidField('file', REFUSED);
  return { data, mimeType: textType, fileName: name, size: data.length };
}

/** The multipart limits, registered once in app.ts. */
export const MULTIPART_LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: MAX_UPLOAD_FIELDS } as const;

/**
 * Reads a multipart form holding one file (field `file`) and a few text fields, in any
 * order. Multipart errors become French answers. The file is not checked here: pass it to
 * `checkUpload` once access has been granted.
 */
export async function readUpload(request: FastifyRequest): Promise<{ fields: Record<string, string>; file: UploadedFile }> {
  if (!request.isMultipart()) {
    throw invalidField('file', 'Envoyez le fichier dans un formulaire (multipart/form-data), champ « file ».');
  }
  const fields: Record<string, string> = {};
  let file: UploadedFile | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname !== 'file') throw invalidField(part.fieldname, 'Le fichier doit être envoyé dans le champ « file ».');
        file = { data, fileName: part.filename ?? '' };
      } else if (typeof part.value === 'string') {
        if (part.valueTruncated) throw invalidField(part.fieldname, 'Ce champ est trop long.');
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    throw multipartError(err);
  }
  if (!file) throw invalidField('file', 'Choisissez un fichier à joindre.');
  return { fields, file };
}

function multipartError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  switch ((err as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return fileTooLarge();
    case 'FST_FILES_LIMIT':
      return invalidField('file', 'Un seul fichier à la fois.');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return invalidField('file', 'Le formulaire contient trop de champs.');
    case 'FST_PROTO_VIOLATION':
      return invalidField('file', 'Nom de champ refusé.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return invalidField('file', 'Envoyez le fichier dans un formulaire (multipart/form-data), champ « file ».');
    default:
      if ((err as Error)?.message?.includes('terminated early') || (err as { code?: string }).code === 'FST_MP_PREMATURE_CLOSE') {
        return invalidField('file', 'L’envoi du fichier a été interrompu : réessayez.');
      }
      return err;
  }
}
