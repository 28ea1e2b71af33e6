import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/context';
import { frameworkRoutes } from './frameworks-routes';
import { planRoutes } from './plan-routes';
import { assessmentsRoutes } from './assessments-routes';
import { regionRoutes } from './region-routes';
import { reportRoutes } from './report-routes';

/**
 * The assessment module's routes. Each area has its own file (frameworks, assessments,
 * plan, region): register it here with one line.
 */
export async function assessmentRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  // (area registrations, one per line)
  await app.register(frameworkRoutes, { platform });
  await app.register(planRoutes, { platform });
  await app.register(assessmentsRoutes, { platform });
  await app.register(regionRoutes, { platform });
  await app.register(reportRoutes, { platform });
}
