import type { ErrorBody } from '../../../contracts/common';

type Code = ErrorBody['error']['code'];
export interface FieldError {
  path: string;
  message: string;
}

/** An error meant for the person using Hygie: a status, a code and a French message. */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: Code,
    message: string,
    public readonly fields?: FieldError[],
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

export const unauthenticated = () => new AppError(401, 'unauthenticated', 'Veuillez vous connecter.');
export const mfaRequired = () =>
  new AppError(401, 'mfa_required', 'Saisissez votre code de vérification pour continuer.');
export const forbidden = (message = "Vous n'avez pas accès à cette action.") => new AppError(403, 'forbidden', message);
export const notFound = (message = "Cette ressource n'existe pas ou vous n'y avez pas accès.") =>
  new AppError(404, 'not_found', message);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const invalid = (fields: FieldError[], message?: string) =>
  new AppError(
    400,
    'validation',
    message ?? (fields.length === 1 ? fields[0].message : `Le formulaire contient ${fields.length} erreurs.`),
    fields,
  );
export const invalidField = (path: string, message: string) => invalid([{ path, message }]);
export const tooManyRequests = (retryAfterSeconds: number) => {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new AppError(
    429,
    'too_many_requests',
    retryAfterSeconds < 90
      ? `Trop de tentatives. Réessayez dans ${retryAfterSeconds} secondes.`
      : `Trop de tentatives. Réessayez dans ${minutes} minutes.`,
    undefined,
    { 'retry-after': String(retryAfterSeconds) },
  );
};
