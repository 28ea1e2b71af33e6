import { INCIDENT_LABELS_FR } from '../../../../contracts/incidents-labels';

/** Labels every incidents page shares, in French: the reference, kept with the contracts because the server writes them too. */
export const commonFr = INCIDENT_LABELS_FR;
