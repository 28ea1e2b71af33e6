import { count } from 'drizzle-orm';
import type { EstablishmentCategory, OrgKind, Role } from '../../contracts/tenancy';
import { hashPassword } from '../platform/auth/passwords';
import type { Db } from '../platform/db/client';
import { memberships, organisations, users } from '../platform/tenancy/schema';
import { seedAssessmentDemo } from './assessment';
import { seedIncidentDemo } from './incidents';

export const DEMO_PASSWORD = 'demo-hygie-2026';

export const DEMO_ACCOUNTS: { email: string; name: string; org: string; role: Role | 'admin'; label: string }[] = [
  { email: 'agent@ch-demo.fr', name: 'Claire Martin', org: 'ch', role: 'agent', label: 'agent, Centre hospitalier de Val-d’Argent' },
  { email: 'rssi@ch-demo.fr', name: 'Karim Benali', org: 'ch', role: 'rssi', label: 'RSSI, Centre hospitalier de Val-d’Argent' },
  { email: 'direction@ch-demo.fr', name: 'Hélène Garnier', org: 'ch', role: 'direction', label: 'directrice, Centre hospitalier de Val-d’Argent' },
  { email: 'rssi@ehpad-demo.fr', name: 'Sophie Lefèvre', org: 'ehpad', role: 'rssi', label: 'RSSI, EHPAD Les Tilleuls' },
  { email: 'coord@ght-demo.fr', name: 'Julien Moreau', org: 'ght', role: 'coord_ght', label: 'coordinateur, GHT Val-d’Argent' },
  { email: 'coord@region-demo.fr', name: 'Nadia Rousseau', org: 'region', role: 'coord_region', label: 'coordinatrice régionale, Région Hygie-Démo' },
  { email: 'admin@hygie.test', name: 'Administrateur Hygie', org: 'region', role: 'admin', label: 'administrateur de la plateforme' },
];

interface OrgSeed {
  key: string;
  kind: OrgKind;
  name: string;
  parent?: string;
  finess?: string;
  category?: EstablishmentCategory;
}

/** A fictional region; FINESS numbers use the fictional department 99 so none is real. */
const ORGS: OrgSeed[] = [
  { key: 'region', kind: 'region', name: 'Région Hygie-Démo' },
  { key: 'ght', kind: 'ght', name: 'GHT Val-d’Argent', parent: 'region' },
  { key: 'ch', kind: 'establishment', name: 'Centre hospitalier de Val-d’Argent', parent: 'ght', finess: '990000011', category: 'CH' },
  { key: 'psy', kind: 'establishment', name: 'Centre psychothérapique des Coteaux', parent: 'ght', finess: '990000029', category: 'PSY' },
  { key: 'ehpad', kind: 'establishment', name: 'EHPAD Les Tilleuls', parent: 'ght', finess: '990000037', category: 'EHPAD' },
  { key: 'smr', kind: 'establishment', name: 'Centre de rééducation du Lac', parent: 'ght', finess: '990000045', category: 'SMR' },
  { key: 'ch-site', kind: 'site', name: 'Site principal — avenue des Tilleuls', parent: 'ch' },
  ...['Urgences', 'Réanimation', 'Bloc opératoire', 'Pharmacie', 'Laboratoire', 'Imagerie médicale', 'Maternité'].map(
    (name, i): OrgSeed => ({ key: `ch-service-${i}`, kind: 'service', name, parent: 'ch-site' }),
  ),
  { key: 'psy-service', kind: 'service', name: 'Unité d’admission', parent: 'psy' },
  { key: 'smr-service', kind: 'service', name: 'Rééducation neurologique', parent: 'smr' },
];

/** Ids of what the demo created, by the keys above (orgs) and by e-mail (users). */
export interface DemoIds {
  orgs: Map<string, string>;
  users: Map<string, string>;
}

/**
 * Loads the demo organisations and accounts into an empty database, then each
 * capability's demo data; does nothing when the database already has users.
 */
export async function seedDemo(db: Db, now: Date = new Date()): Promise<boolean> {
  const [{ n }] = await db.select({ n: count() }).from(users);
  if (n > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const demo: DemoIds = { orgs: new Map(), users: new Map() };
    const ids = new Map<string, { id: string; ancestors: string[] }>();
    for (const o of ORGS) {
      const parent = o.parent ? ids.get(o.parent)! : undefined;
      const ancestors = parent ? [...parent.ancestors, parent.id] : [];
      const [row] = await tx
        .insert(organisations)
        .values({ kind: o.kind, name: o.name, parentId: parent?.id ?? null, ancestors, finess: o.finess ?? null, category: o.category ?? null })
        .returning({ id: organisations.id });
      ids.set(o.key, { id: row.id, ancestors });
      demo.orgs.set(o.key, row.id);
    }
    for (const a of DEMO_ACCOUNTS) {
      const [user] = await tx
        .insert(users)
        .values({ email: a.email, displayName: a.name, passwordHash, platformAdmin: a.role === 'admin' })
        .returning({ id: users.id });
      if (a.role !== 'admin') await tx.insert(memberships).values({ userId: user.id, orgId: ids.get(a.org)!.id, role: a.role });
      demo.users.set(a.email, user.id);
    }
    await seedAssessmentDemo(tx, demo, now);
    await seedIncidentDemo(tx, demo, now);
  });
  return true;
}
