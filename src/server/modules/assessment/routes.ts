import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/context';

/**
 * The assessment module's routes. Each area has its own file (frameworks, assessments,
 * plan, region): register it here with one line.
 */
export async function assessmentRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  // (area registrations, one per line)
  void app;
  void platform;
}
