import { z } from 'zod';
import { actionSchema } from './assessment';

/** Shapes of the remediation plan not in `assessment.ts`: creating actions from suggestions in bulk. */

/** The suggestions the person kept (a measure and the action's title, possibly reworded). */
export const createFromSuggestionsBodySchema = z.object({
  items: z
    .array(
      z.object({
        nodeId: z.uuid({ message: 'Mesure inconnue.' }),
        title: z.string().trim().min(3, "L'intitulé doit contenir au moins 3 caractères.").max(300, "L'intitulé est trop long."),
      }),
      { message: 'Choisissez les actions à créer.' },
    )
    .min(1, 'Choisissez au moins une action à créer.')
    .max(200, 'Au plus 200 actions à la fois.'),
});
export type CreateFromSuggestionsBody = z.infer<typeof createFromSuggestionsBodySchema>;

export const createFromSuggestionsResponseSchema = z.object({
  /** the actions created, in the order of the request */
  actions: z.array(actionSchema),
  /** items left out because the same action is already open for that measure (or repeated in the request) */
  skipped: z.number(),
});
