/** Every table, for drizzle-kit and the typed database handle. Modules add theirs here. */
export * from './platform/tenancy/schema';
export * from './platform/auth/schema';
export * from './platform/audit/schema';
export * from './platform/mail/schema';
export * from './modules/identity/schema';
export * from './modules/assessment/schema';
export * from './platform/notifications/schema';
export * from './modules/incidents/schema';
