import type { followFr } from './follow.fr';

/** English, same keys as the French reference. */
export const followEn: typeof followFr = {};
