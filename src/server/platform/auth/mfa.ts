import { randomBytes } from 'node:crypto';
import { authenticator } from 'otplib';
import QRCode from 'qrcode';
import { sha256 } from './crypto';

const STEP_SECONDS = 30;
authenticator.options = { step: STEP_SECONDS, window: 1, digits: 6 };

export const newTotpSecret = () => authenticator.generateSecret(20);

export function otpauthUri(email: string, secret: string): string {
  return authenticator.keyuri(email, 'Hygie', secret);
}

export const qrCodeDataUrl = (uri: string) => QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 220 });

/**
 * Checks a 6-digit code against the secret, one step of drift allowed either way.
 * Returns the time step it matched, so the caller can refuse a replay of the same code.
 */
export function matchTotp(secret: string, code: string, now: Date, lastStep: number | null): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const current = Math.floor(now.getTime() / 1000 / STEP_SECONDS);
  for (const delta of [0, -1, 1]) {
    const step = current + delta;
    if (lastStep !== null && step <= lastStep) continue;
    const expected = authenticator.clone({ epoch: step * STEP_SECONDS * 1000, window: 0 }).generate(secret);
    if (expected === code) return step;
  }
  return null;
}

/** Same code as a phone app would show at that moment (tests, and nothing else). */
export const totpAt = (secret: string, at: Date) => authenticator.clone({ epoch: at.getTime(), window: 0 }).generate(secret);

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten single-use recovery codes like `k7m2-p9xq-4tch` (about 59 bits each); only their hash is stored. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(12);
    const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

export const normaliseRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
export const hashRecoveryCode = (code: string) => sha256(`recovery:${normaliseRecoveryCode(code)}`);
