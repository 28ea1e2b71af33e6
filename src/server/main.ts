import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './demo/seed';
import { ContentError, syncContent } from './modules/assessment/frameworks';
import { startPlanJobs } from './modules/assessment/plan';
import { startIncidentJobs } from './modules/incidents/obligations';
import { createOidcClient } from './platform/auth/oidc';
import { openDatabase } from './platform/db/client';
import { LockError } from './platform/db/lock';
import { migrate } from './platform/db/migrate';
import { smtpTransport } from './platform/mail/service';
import { resolveSecret } from './platform/secret';

async function main() {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database);
  await syncContent(database.db);
  const seeded = config.demo ? await seedDemo(database.db) : false;
  const oidc = config.oidc ? await createOidcClient(config.oidc, config.publicUrl) : null;
  const { app, platform } = await buildApp({
    config,
    database,
    secret: resolveSecret(config),
    mailTransport: config.smtpUrl ? smtpTransport(config.smtpUrl) : null,
    oidc,
  });

  if (database.kind === 'embedded') {
    app.log.warn(
      'Base embarquée (PGlite) : pour essayer Hygie et pour un petit site seul. Un seul processus à la fois, ' +
        'et aucune garantie en cas de coupure de courant (pas de fsync). En production, utilisez PostgreSQL (DATABASE_URL).',
    );
  }
  await platform.jobs.start();
  await platform.mail.start();
  await startPlanJobs(platform);
  await startIncidentJobs(platform);
  const sweep = setInterval(() => platform.sessions.purgeExpired().catch((e) => app.log.error(e)), 10 * 60_000);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'arrêt en cours');
    clearInterval(sweep);
    try {
      await app.close();
      await platform.jobs.stop();
      await database.close();
      process.exit(0);
    } catch (err) {
      app.log.error(err, 'arrêt incomplet');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const lines = [`\nHygie est prêt : ${config.publicUrl}`];
  if (config.demo) {
    lines.push(
      `Données de démonstration${seeded ? ' chargées' : ''} — mot de passe de tous les comptes : ${DEMO_PASSWORD}`,
      ...DEMO_ACCOUNTS.map((a) => `  ${a.email.padEnd(24)} ${a.label}`),
      'La double authentification n’est pas imposée en démonstration.',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof LockError || err instanceof ContentError) {
    process.stderr.write(`\n${err.message}\n\n`);
  } else {
    process.stderr.write(`\nHygie n’a pas pu démarrer : ${err instanceof Error ? err.stack : String(err)}\n\n`);
  }
  process.exit(1);
});
