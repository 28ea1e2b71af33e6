import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { AppError } from '../http/errors';
import { DiskFileStore, MemoryFileStore, newFileKey, type FileStore } from './store';
import { MAX_UPLOAD_BYTES, checkUpload, cleanFileName } from './upload';

// --- sample files, built byte by byte ----------------------------------------------------

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

function pngChunk(type: string, data: Buffer) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** A 1×1 grey PNG. */
const PNG = (() => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.from([0, 0x80]))), pngChunk('IEND', Buffer.alloc(0))]);
})();
/** The start of a JPEG (SOI, APP0 JFIF): enough to be recognised. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'ascii'), Buffer.alloc(64)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256)]);
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');

/** A ZIP archive with stored (uncompressed) entries, as office formats are. */
function zip(entries: [name: string, content: string][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
const contentTypes = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="${main}"/></Types>`;
const DOCX = zip([
  ['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')],
  ['word/document.xml', '<w:document/>'],
]);
const DOCM = zip([
  ['[Content_Types].xml', contentTypes('application/vnd.ms-word.document.macroEnabled.main+xml')],
  ['word/document.xml', '<w:document/>'],
]);
const ODT = zip([
  ['mimetype', 'application/vnd.oasis.opendocument.text'],
  ['content.xml', '<office:document-content/>'],
]);
const ODS = zip([
  ['mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
  ['content.xml', '<office:document-content/>'],
]);
const PLAIN_ZIP = zip([['notes.txt', 'bonjour']]);

// --- the stores -------------------------------------------------------------------------------

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function diskStore(): Promise<{ store: DiskFileStore; dir: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'hygie-files-'));
  dirs.push(root);
  const dir = path.join(root, 'files');
  return { store: new DiskFileStore(dir), dir };
}

const BAD_KEYS = ['', '../secret', 'a/b', 'a\\b', '..', '.hidden', 'name.pdf', 'x'.repeat(200), 'clé', '/etc/passwd'];

for (const [name, make] of [
  ['DiskFileStore', async (): Promise<FileStore> => (await diskStore()).store],
  ['MemoryFileStore', async (): Promise<FileStore> => new MemoryFileStore()],
] as const) {
  describe(name, () => {
    test('keeps, returns, replaces and deletes bytes by key', async () => {
      const store = await make();
      const key = newFileKey();
      assert.equal(await store.get(key), null, 'nothing before the first put');
      await store.put(key, PDF);
      assert.deepEqual(await store.get(key), PDF);
      await store.put(key, PNG);
      assert.deepEqual(await store.get(key), PNG, 'a second put replaces the file');
      const other = newFileKey();
      await store.put(other, Buffer.alloc(0));
      assert.deepEqual(await store.get(other), Buffer.alloc(0), 'an empty file is a file');
      await store.delete(key);
      assert.equal(await store.get(key), null);
      await store.delete(key); // deleting twice is not an error
      assert.deepEqual(await store.get(other), Buffer.alloc(0), 'other files are untouched');
    });

    test('changing a buffer after put or get does not change what is stored', async () => {
      const store = await make();
      const key = newFileKey();
      const data = Buffer.from('original');
      await store.put(key, data);
      data.fill(0);
      const read = (await store.get(key))!;
      assert.equal(read.toString(), 'original');
      read.fill(0);
      assert.equal((await store.get(key))!.toString(), 'original');
    });

    test('refuses keys that are not plain random ids (no path separator, no dot)', async () => {
      const store = await make();
      for (const key of BAD_KEYS) {
        await assert.rejects(store.put(key, PDF), /Invalid file key/, `put ${JSON.stringify(key)}`);
        await assert.rejects(store.get(key), /Invalid file key/, `get ${JSON.stringify(key)}`);
        await assert.rejects(store.delete(key), /Invalid file key/, `delete ${JSON.stringify(key)}`);
      }
    });
  });
}

test('DiskFileStore: one file per key under its directory, created on first write, no temporary file left', async () => {
  const { store, dir } = await diskStore();
  await assert.rejects(stat(dir), /ENOENT/, 'nothing is created before a file is stored');
  const keys = Array.from({ length: 5 }, () => newFileKey());
  await Promise.all(keys.map((k, i) => store.put(k, Buffer.from(`fichier ${i}`))));
  assert.deepEqual((await readdir(dir)).sort(), [...keys].sort(), 'exactly the keys, nothing else');
  assert.equal(await readFile(path.join(dir, keys[2]), 'utf8'), 'fichier 2');
  // Concurrent writes of one key: the file is one of the versions, whole.
  const key = keys[0];
  const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(64 * 1024, 65 + i));
  await Promise.all(versions.map((v) => store.put(key, v)));
  const final = (await store.get(key))!;
  assert.ok(versions.some((v) => v.equals(final)), 'a whole version, never a mix');
  assert.deepEqual((await readdir(dir)).sort(), [...keys].sort(), 'no temporary file left');
  if (process.platform !== 'win32') assert.equal((await stat(path.join(dir, key))).mode & 0o777, 0o600, 'readable by Hygie only');
});

test('newFileKey makes distinct keys the stores accept', () => {
  const keys = new Set(Array.from({ length: 100 }, () => newFileKey()));
  assert.equal(keys.size, 100);
  for (const k of keys) assert.match(k, /^[A-Za-z0-9][A-Za-z0-9_-]+$/);
});

// --- upload checks -----------------------------------------------------------------------------

async function refused(file: { data: Buffer; fileName: string }, status = 400): Promise<AppError> {
  try {
    await checkUpload(file);
  } catch (err) {
    assert.ok(err instanceof AppError, `an AppError: ${String(err)}`);
    assert.equal(err.status, status, `${file.fileName}: ${err.message}`);
    assert.equal(err.fields?.[0]?.path, 'file');
    assert.match(err.message, /[éèà]|fichier/, 'a French message');
    return err;
  }
  assert.fail(`${file.fileName} was accepted`);
}

describe('checkUpload', () => {
  test('accepts the office, image and PDF formats, recognised by their content whatever their name', async () => {
    const xlsx = new ExcelJS.Workbook();
    xlsx.addWorksheet('Feuille 1').addRow(['mesure', 'statut']);
    const XLSX = Buffer.from(await xlsx.xlsx.writeBuffer());
    const cases: [Buffer, string, string, string][] = [
      [PDF, 'rapport.pdf', 'application/pdf', 'rapport.pdf'],
      [PNG, 'capture.png', 'image/png', 'capture.png'],
      [JPEG, 'photo.JPEG', 'image/jpeg', 'photo.JPEG'],
      [JPEG, 'photo.jpg', 'image/jpeg', 'photo.jpg'],
      [DOCX, 'politique.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'politique.docx'],
      [XLSX, 'inventaire.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'inventaire.xlsx'],
      [ODT, 'procedure.odt', 'application/vnd.oasis.opendocument.text', 'procedure.odt'],
      [ODS, 'tableau.ods', 'application/vnd.oasis.opendocument.spreadsheet', 'tableau.ods'],
      // A wrong or missing extension gets the right one: the name never decides the type.
      [PDF, 'rapport.docx', 'application/pdf', 'rapport.docx.pdf'],
      [PNG, 'sans-extension', 'image/png', 'sans-extension.png'],
      [PDF, '', 'application/pdf', 'fichier.pdf'],
    ];
    for (const [data, fileName, mimeType, stored] of cases) {
      const checked = await checkUpload({ data, fileName });
      assert.equal(checked.mimeType, mimeType, fileName);
      assert.equal(checked.fileName, stored, fileName);
      assert.equal(checked.size, data.length);
      assert.equal(checked.data, data);
    }
  });

  test('accepts plain text and CSV only as clean UTF-8 named .txt or .csv', async () => {
    const csv = Buffer.from('mesure;statut\nSauvegardes hors ligne;oui\nÉcart;non\n');
    assert.equal((await checkUpload({ data: csv, fileName: 'export.csv' })).mimeType, 'text/csv');
    assert.equal((await checkUpload({ data: Buffer.from('Procédure validée le 3 mars.'), fileName: 'note.TXT' })).mimeType, 'text/plain');
    await refused({ data: Buffer.from('Procédure validée'), fileName: 'note.md' });
    await refused({ data: Buffer.from('Procédure validée'), fileName: 'note' });
    await refused({ data: Buffer.from('texte\0avec un octet nul'), fileName: 'note.txt' });
    await refused({ data: Buffer.from([0x50, 0x72, 0x6f, 0xe9, 0x64]), fileName: 'latin1.txt' }); // "Proéd" in Latin-1: not UTF-8
    await refused({ data: HTML, fileName: 'page.txt' });
    await refused({ data: Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg"/>'), fileName: 'image.csv' });
  });

  test('refuses other types, even renamed, and names the accepted formats', async () => {
    const err = await refused({ data: EXE, fileName: 'rapport.pdf' });
    assert.match(err.message, /PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS/);
    await refused({ data: HTML, fileName: 'rapport.pdf' });
    await refused({ data: PLAIN_ZIP, fileName: 'archive.docx' });
    await refused({ data: DOCM, fileName: 'macro.docx' });
    await refused({ data: Buffer.from('<?xml version="1.0"?><a/>'), fileName: 'donnees.txt' });
    await refused({ data: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), fileName: 'anim.png' });
  });

  test('refuses an empty file (400) and one over 10 MB (413)', async () => {
    const empty = await refused({ data: Buffer.alloc(0), fileName: 'vide.pdf' });
    assert.equal(empty.message, 'Le fichier est vide.');
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_UPLOAD_BYTES + 1 - PDF.length, 0x20)]);
    await refused({ data: big, fileName: 'gros.pdf' }, 413);
    const limit = Buffer.concat([PDF, Buffer.alloc(MAX_UPLOAD_BYTES - PDF.length, 0x20)]);
    assert.equal((await checkUpload({ data: limit, fileName: 'juste.pdf' })).size, MAX_UPLOAD_BYTES, 'exactly 10 MB is accepted');
  });

  test('cleanFileName keeps the last path segment, without control characters or quotes', () => {
    assert.equal(cleanFileName('C:\\Users\\rssi\\Bureau\\plan.pdf'), 'plan.pdf');
    assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
    assert.equal(cleanFileName('rapport "final"\r\n.pdf'), 'rapport _final_ .pdf');
    assert.equal(cleanFileName('...cache.pdf'), 'cache.pdf');
    assert.equal(cleanFileName(`${'a'.repeat(300)}.pdf`).length, 180);
    assert.ok(cleanFileName(`${'a'.repeat(300)}.pdf`).endsWith('.pdf'), 'the extension is kept when shortening');
  });
});
