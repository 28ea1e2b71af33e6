/**
 * `npm run audit:verify`: walks the whole audit chain and says whether it holds.
 * Exit code 0 when intact, 2 when an entry was altered or removed, 1 on any other error.
 * In embedded mode, stop Hygie first (the database belongs to one process).
 */
import { loadConfig } from '../config';
import { verifyAuditChain } from '../platform/audit/service';
import { openDatabase } from '../platform/db/client';
import { migrate } from '../platform/db/migrate';

try {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(database);
    const result = await verifyAuditChain(database.db);
    if (result.valid) {
      console.log(`Journal d’audit intact : ${result.checked} entrée(s) vérifiée(s).`);
    } else {
      console.error(`Journal d’audit ALTÉRÉ : la chaîne est rompue à l’entrée n° ${result.brokenAt} (${result.checked} entrées intactes avant elle).`);
    }
    process.exitCode = result.valid ? 0 : 2;
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
