import { z } from 'zod';
import { emailSchema, newPasswordSchema } from './common';

export const loginBodySchema = z.object({
  email: emailSchema,
  password: z.string({ message: 'Le mot de passe est obligatoire.' }).min(1, 'Le mot de passe est obligatoire.').max(1024),
});
/** After a good password: whether a TOTP code is still needed, or an enrolment. */
export const loginResponseSchema = z.object({
  mfaRequired: z.boolean(),
  mfaEnrollmentRequired: z.boolean(),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const mfaBodySchema = z.object({
  code: z
    .string({ message: 'Le code est obligatoire.' })
    .trim()
    .min(6, 'Saisissez le code à 6 chiffres, ou un code de secours.')
    .max(32, 'Le code est trop long.'),
});

export const csrfResponseSchema = z.object({ token: z.string() });

export const mfaEnrolStartResponseSchema = z.object({
  /** otpauth:// URI, for the QR code */
  otpauthUri: z.string(),
  /** The secret in base32, for typing by hand */
  secret: z.string(),
  /** QR code as a data: URL (PNG) */
  qrCode: z.string(),
});
export const mfaEnrolConfirmBodySchema = z.object({
  code: z.string().trim().regex(/^[0-9]{6}$/, 'Saisissez les 6 chiffres affichés par votre application.'),
});
export const recoveryCodesResponseSchema = z.object({ recoveryCodes: z.array(z.string()) });

export const resetRequestBodySchema = z.object({ email: emailSchema });
export const resetConfirmBodySchema = z.object({
  token: z.string().min(20, 'Le lien est incomplet.').max(200),
  password: newPasswordSchema,
  /** Required when the account has two-factor authentication: a reset never bypasses it. */
  code: z.string().trim().max(32).optional(),
});
/** The token travels in the link's #fragment (never sent to servers or logs) and is posted in the body. */
export const resetInfoBodySchema = z.object({ token: z.string().min(20, 'Le lien est incomplet.').max(200) });
export const resetInfoResponseSchema = z.object({ mfaRequired: z.boolean() });

export const changePasswordBodySchema = z.object({
  currentPassword: z.string().min(1, 'Saisissez votre mot de passe actuel.').max(1024),
  newPassword: newPasswordSchema,
});

export const oidcInfoResponseSchema = z.object({
  enabled: z.boolean(),
  label: z.string().nullable(),
});
