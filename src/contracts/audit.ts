import { z } from 'zod';

export const auditQuerySchema = z.object({
  orgId: z.uuid().optional(),
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(200).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  from: z.iso.date({ message: 'Date de début invalide (AAAA-MM-JJ).' }).optional(),
  to: z.iso.date({ message: 'Date de fin invalide (AAAA-MM-JJ).' }).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const auditEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  orgId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditListResponseSchema = z.object({
  entries: z.array(auditEntrySchema),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
export const auditVerifyResponseSchema = z.object({
  valid: z.boolean(),
  checked: z.number(),
  /** first entry whose hash does not match, when the chain is broken */
  brokenAt: z.number().nullable(),
});
