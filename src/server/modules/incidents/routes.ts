import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/context';
import { declarationRoutes } from './declaration-routes';

/**
 * The incidents module's routes. Each area has its own file (declarations, follow-up,
 * exports, region, alerts, statistics): register it here with one line.
 */
export async function incidentRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  // (area registrations, one per line)
  await app.register(declarationRoutes, { platform });
}
