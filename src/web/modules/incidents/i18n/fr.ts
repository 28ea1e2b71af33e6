import { commonFr } from './common.fr';
import { declareFr } from './declare.fr';
import { followFr } from './follow.fr';
import { regionFr } from './region.fr';

/** The incidents module's texts (t('incidents.…')): one file per area, so areas are written side by side. */
export const incidentsFr = { common: commonFr, declare: declareFr, follow: followFr, region: regionFr };
