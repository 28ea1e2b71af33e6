/**
 * The Content-Disposition of a download. A plain ASCII name goes as it is; any other keeps its
 * real name in `filename*=` (RFC 6266) with an ASCII fallback in `filename=` for old clients.
 */
export function attachment(fileName: string, fallback = 'fichier'): string {
  if (/^[\x20-\x7e]+$/.test(fileName) && !/["\\]/.test(fileName)) return `attachment; filename="${fileName}"`;
  const ascii = fileName.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_') || fallback;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
