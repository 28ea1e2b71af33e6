import { commonEn } from './common.en';
import { declareEn } from './declare.en';
import { followEn } from './follow.en';
import { regionEn } from './region.en';
import type { incidentsFr } from './fr';

export const incidentsEn: typeof incidentsFr = { common: commonEn, declare: declareEn, follow: followEn, region: regionEn };
