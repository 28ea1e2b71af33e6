import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hash, verify } from '@node-rs/argon2';
import { invalidField } from '../http/errors';

const LIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../content/security/common-passwords.txt');

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(LIST, 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's recommended minimum). */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    await hash(password); // same cost whether or not the account exists
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * NIST SP 800-63B: length 12 to 128 (checked by the contract), no composition rules,
 * refuse known common passwords and ones built from the e-mail address.
 */
export function assertAcceptablePassword(password: string, email: string, field = 'password'): void {
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    throw invalidField(field, 'Ce mot de passe fait partie des plus utilisés et serait vite deviné. Choisissez-en un autre, par exemple une phrase.');
  }
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) {
    throw invalidField(field, 'Le mot de passe ne doit pas reprendre votre adresse e-mail.');
  }
  if (new Set(lower).size < 4) {
    throw invalidField(field, 'Le mot de passe répète trop les mêmes caractères.');
  }
}
