import type { FastifyInstance } from 'fastify';
import type { Platform } from '../context';
import type { OidcClient } from './oidc';

export async function oidcRoutes(_app: FastifyInstance, _opts: { platform: Platform; oidc: OidcClient | null }) {}
