import type { regionFr } from './region.fr';

/** English, same keys as the French reference. */
export const regionEn: typeof regionFr = {};
