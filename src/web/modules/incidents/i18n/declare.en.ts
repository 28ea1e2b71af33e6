import type { declareFr } from './declare.fr';

/** English, same keys as the French reference. */
export const declareEn: typeof declareFr = {};
