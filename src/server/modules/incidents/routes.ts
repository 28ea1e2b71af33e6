import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/context';
import { alertRoutes } from './alerts-routes';
import { declarationRoutes } from './declaration-routes';
import { exportRoutes } from './export-routes';
import { followUpRoutes } from './followup-routes';
import { regionIncidentRoutes } from './region-routes';
import { incidentStatsRoutes } from './stats-routes';

/**
 * The incidents module's routes. Each area has its own file (declarations, follow-up,
 * exports, region, alerts, statistics): register it here with one line.
 */
export async function incidentRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  // (area registrations, one per line)
  await app.register(declarationRoutes, { platform });
  await app.register(exportRoutes, { platform });
  await app.register(alertRoutes, { platform });
  await app.register(regionIncidentRoutes, { platform });
  await app.register(incidentStatsRoutes, { platform });
  await app.register(followUpRoutes, { platform });
}
