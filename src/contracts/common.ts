import { z } from 'zod';

/** Every error answer of the API. `fields` lists the fields to fix, with a French message each. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum([
      'validation',
      'unauthenticated',
      'mfa_required',
      'mfa_enrolment_required',
      'forbidden',
      'not_found',
      'conflict',
      'too_many_requests',
      'csrf',
      'internal',
    ]),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const okSchema = z.object({ ok: z.literal(true) });

export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1, 'La page commence à 1.').default(1),
  pageSize: z.coerce.number().int().min(1).max(200, 'Au plus 200 lignes par page.').default(50),
});

export const emailSchema = z
  .string({ message: "L'adresse e-mail est obligatoire." })
  .trim()
  .toLowerCase()
  .max(254, "L'adresse e-mail est trop longue.")
  .pipe(z.email({ message: "L'adresse e-mail n'est pas valide (exemple : prenom.nom@hopital.fr)." }));

/** 12 to 128 characters, no composition rule; the common-password check is done by the server. */
export const newPasswordSchema = z
  .string({ message: 'Le mot de passe est obligatoire.' })
  .min(12, 'Le mot de passe doit contenir au moins 12 caractères. Une phrase de passe est plus facile à retenir.')
  .max(128, 'Le mot de passe doit contenir au plus 128 caractères.');

export const displayNameSchema = z
  .string({ message: 'Le nom est obligatoire.' })
  .trim()
  .min(2, 'Le nom doit contenir au moins 2 caractères.')
  .max(120, 'Le nom doit contenir au plus 120 caractères.');
