import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import type { IndicatorType, Tlp } from '../../../contracts/incidents';

/**
 * Indicators of compromise, validated and normalised by type so that equal indicators
 * compare equal (the same domain typed in capitals, in Unicode or "defanged" by the person
 * who pasted it is one indicator). Pure functions: no database, no clock.
 */

/** What each type expects, in the words shown at the field when the value does not fit. */
export const INDICATOR_EXPECTED: Record<IndicatorType, string> = {
  ipv4: 'Saisissez une adresse IPv4 : quatre nombres de 0 à 255 séparés par des points (par exemple 203.0.113.7).',
  ipv6: 'Saisissez une adresse IPv6 (par exemple 2001:db8::7).',
  domain: 'Saisissez un nom de domaine seul, sans « http:// » ni chemin, avec au moins un point (par exemple facture-urgente.example).',
  url: 'Saisissez une adresse web complète commençant par http://, https:// ou ftp:// (par exemple https://facture-urgente.example/paiement).',
  email: 'Saisissez une adresse e-mail d’expéditeur (par exemple comptabilite@facture-urgente.example).',
  sha256: 'Saisissez une empreinte SHA-256 : 64 caractères hexadécimaux (chiffres 0 à 9 et lettres a à f).',
  sha1: 'Saisissez une empreinte SHA-1 : 40 caractères hexadécimaux (chiffres 0 à 9 et lettres a à f).',
  md5: 'Saisissez une empreinte MD5 : 32 caractères hexadécimaux (chiffres 0 à 9 et lettres a à f).',
};

/** French names of the types, for messages and STIX names. */
export const INDICATOR_LABELS: Record<IndicatorType, string> = {
  ipv4: 'Adresse IPv4',
  ipv6: 'Adresse IPv6',
  domain: 'Nom de domaine',
  url: 'Adresse web (URL)',
  email: 'Adresse e-mail d’expéditeur',
  sha256: 'Empreinte SHA-256',
  sha1: 'Empreinte SHA-1',
  md5: 'Empreinte MD5',
};

const HASH_LENGTHS: Record<'sha256' | 'sha1' | 'md5', number> = { sha256: 64, sha1: 40, md5: 32 };
const HASH_BY_LENGTH: Record<number, string> = { 64: 'SHA-256', 40: 'SHA-1', 32: 'MD5' };

export type Normalised = { ok: true; value: string } | { ok: false; message: string };

/**
 * Undoes the usual ways of "defanging" an indicator so that nobody clicks it by mistake:
 * hxxp://, hXXps://, fxp://, example[.]com, example(.)com, example[dot]com, 1.2.3[.]4,
 * user[@]example.com, user[at]example.com, [:]//, [://].
 */
export function refang(raw: string): string {
  return raw
    .trim()
    .replace(/^(h[xX*]{2}p)(s?)(\[:\/\/\]|\[?:\]?\/\/)/i, (_m, _h, s: string) => `http${s.toLowerCase()}://`)
    .replace(/^(f[xX*]p)(\[:\/\/\]|\[?:\]?\/\/)/i, 'ftp://')
    .replace(/\[:\/\/\]/g, '://')
    .replace(/\[:\]/g, ':')
    .replace(/\s*(\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s*/gi, '.')
    .replace(/\s*(\[@\]|\(@\)|\{@\}|\[at\]|\(at\)|\{at\})\s*/gi, '@');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name: lower-case, Unicode turned into punycode, labels of letters, digits and hyphens, at least one dot, a TLD that is not a number. */
function normaliseDomain(raw: string): string | null {
  let value = raw.trim();
  if (value.endsWith('.')) value = value.slice(0, -1);
  if (!value || /[\s/\\:@?#[\]]/.test(value)) return null;
  const ascii = domainToASCII(value.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return null;
  return ascii;
}

function normaliseIpv4(value: string): string | null {
  if (isIP(value) !== 4) return null;
  return value
    .split('.')
    .map((n) => String(Number(n)))
    .join('.');
}

/** The canonical text of an IPv6 address (RFC 5952: lower-case, zeros compressed), as WHATWG URL writes it. */
function normaliseIpv6(raw: string): string | null {
  const value = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIP(value) !== 6 || value.includes('%')) return null;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

const URL_PROTOCOLS = new Set(['http:', 'https:', 'ftp:']);

function normaliseUrl(value: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (!URL_PROTOCOLS.has(url.protocol) || !url.hostname) return null;
  return url.href;
}

const emailCheck = z.email();

function normaliseEmail(raw: string): string | null {
  const value = raw.trim().replace(/^mailto:/i, '');
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return null;
  const local = value.slice(0, at).toLowerCase();
  const domain = normaliseDomain(value.slice(at + 1));
  if (!domain) return null;
  const address = `${local}@${domain}`;
  return emailCheck.safeParse(address).success ? address : null;
}

function normaliseHash(type: 'sha256' | 'sha1' | 'md5', raw: string): Normalised {
  const value = raw.replace(/[\s:]/g, '').toLowerCase();
  const expected = HASH_LENGTHS[type];
  if (/^[0-9a-f]+$/.test(value) && value.length === expected) return { ok: true, value };
  if (/^[0-9a-f]+$/.test(value) && HASH_BY_LENGTH[value.length]) {
    return { ok: false, message: `${INDICATOR_EXPECTED[type]} Celle-ci compte ${value.length} caractères : est-ce plutôt une empreinte ${HASH_BY_LENGTH[value.length]} ? Changez le type.` };
  }
  return { ok: false, message: INDICATOR_EXPECTED[type] };
}

/**
 * Validates and normalises an indicator of the given type. Defanged input is accepted.
 * Returns the value to store, or the French message saying what is expected.
 */
export function normaliseIndicator(type: IndicatorType, raw: string): Normalised {
  const value = refang(raw);
  if (!value) return { ok: false, message: INDICATOR_EXPECTED[type] };
  const fail = (hint?: string): Normalised => ({ ok: false, message: hint ? `${INDICATOR_EXPECTED[type]} ${hint}` : INDICATOR_EXPECTED[type] });
  switch (type) {
    case 'ipv4': {
      const v = normaliseIpv4(value);
      if (v) return { ok: true, value: v };
      return fail(normaliseIpv6(value) ? 'Cette adresse est une IPv6 : changez le type.' : undefined);
    }
    case 'ipv6': {
      const v = normaliseIpv6(value);
      if (v) return { ok: true, value: v };
      return fail(normaliseIpv4(value) ? 'Cette adresse est une IPv4 : changez le type.' : undefined);
    }
    case 'domain': {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return fail('Pour une adresse complète avec « http:// », choisissez le type « Adresse web (URL) ».');
      if (value.includes('@')) return fail('Pour une adresse e-mail, choisissez le type « Adresse e-mail ».');
      if (isIP(value)) return fail('Pour une adresse IP, choisissez le type IPv4 ou IPv6.');
      const v = normaliseDomain(value);
      return v ? { ok: true, value: v } : fail();
    }
    case 'url': {
      const v = normaliseUrl(value);
      if (v) return { ok: true, value: v };
      return fail(normaliseDomain(value) ? 'Pour un nom de domaine seul, choisissez le type « Nom de domaine ».' : undefined);
    }
    case 'email': {
      const v = normaliseEmail(value);
      return v ? { ok: true, value: v } : fail();
    }
    case 'sha256':
    case 'sha1':
    case 'md5':
      return normaliseHash(type, value);
  }
}

/** TLP levels from the most open to the most restricted. */
const TLP_ORDER: readonly Tlp[] = ['clear', 'green', 'amber', 'amber_strict', 'red'];

/** The most restrictive of the given levels (what applies to something built from all of them). */
export function strictestTlp(...levels: Tlp[]): Tlp {
  return levels.reduce<Tlp>((a, b) => (TLP_ORDER.indexOf(b) > TLP_ORDER.indexOf(a) ? b : a), 'clear');
}
