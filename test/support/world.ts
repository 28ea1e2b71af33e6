import type { EstablishmentCategory, OrgKind, Role } from '../../src/contracts/tenancy';
import { hashPassword } from '../../src/server/platform/auth/passwords';
import type { Db } from '../../src/server/platform/db/client';
import { memberships, organisations, users } from '../../src/server/platform/tenancy/schema';
import { Client, type TestApp } from './app';

export const PASSWORD = 'correct horse battery staple';

/**
 * Two regions, so every test can check a foreign organisation:
 * north → ght → (hospital → site → service), ehpad ; south → clinic.
 */
export interface World {
  orgs: Record<'north' | 'ght' | 'hospital' | 'site' | 'service' | 'ehpad' | 'south' | 'clinic', string>;
  users: Record<WorldUser, { id: string; email: string }>;
}
export type WorldUser = 'agent' | 'referent' | 'rssi' | 'direction' | 'coordGht' | 'coordRegion' | 'admin' | 'ehpadRssi' | 'foreignRssi' | 'foreignCoord';

const ACCOUNTS: Record<WorldUser, { org: keyof World['orgs'] | null; role: Role | null }> = {
  agent: { org: 'service', role: 'agent' },
  referent: { org: 'service', role: 'referent' },
  rssi: { org: 'hospital', role: 'rssi' },
  direction: { org: 'hospital', role: 'direction' },
  coordGht: { org: 'ght', role: 'coord_ght' },
  coordRegion: { org: 'north', role: 'coord_region' },
  admin: { org: null, role: null },
  ehpadRssi: { org: 'ehpad', role: 'rssi' },
  foreignRssi: { org: 'clinic', role: 'rssi' },
  foreignCoord: { org: 'south', role: 'coord_region' },
};

let passwordHash: Promise<string> | undefined;

export async function seedWorld(db: Db): Promise<World> {
  passwordHash ??= hashPassword(PASSWORD);
  const hash = await passwordHash;
  const orgs = {} as World['orgs'];
  const ancestry = new Map<string, string[]>();
  const add = async (key: keyof World['orgs'], kind: OrgKind, name: string, parent?: keyof World['orgs'], extra: { finess?: string; category?: EstablishmentCategory } = {}) => {
    const parentId = parent ? orgs[parent] : null;
    const ancestors = parentId ? [...ancestry.get(parentId)!, parentId] : [];
    const [row] = await db.insert(organisations).values({ kind, name, parentId, ancestors, finess: extra.finess ?? null, category: extra.category ?? null }).returning({ id: organisations.id });
    orgs[key] = row.id;
    ancestry.set(row.id, ancestors);
  };
  await add('north', 'region', 'Région Nord');
  await add('ght', 'ght', 'GHT Nord', 'north');
  await add('hospital', 'establishment', 'CH Nord', 'ght', { finess: '590000011', category: 'CH' });
  await add('site', 'site', 'Site A', 'hospital');
  await add('service', 'service', 'Urgences', 'site');
  await add('ehpad', 'establishment', 'EHPAD Nord', 'ght', { finess: '590000029', category: 'EHPAD' });
  await add('south', 'region', 'Région Sud');
  await add('clinic', 'establishment', 'Clinique Sud', 'south', { finess: '130000011', category: 'CLINIQUE' });

  const result = {} as World['users'];
  for (const [key, a] of Object.entries(ACCOUNTS) as [WorldUser, (typeof ACCOUNTS)[WorldUser]][]) {
    const email = `${key.toLowerCase()}@test.hygie.fr`;
    const [u] = await db.insert(users).values({ email, displayName: `Test ${key}`, passwordHash: hash, platformAdmin: key === 'admin' }).returning({ id: users.id });
    if (a.org && a.role) await db.insert(memberships).values({ userId: u.id, orgId: orgs[a.org], role: a.role });
    result[key] = { id: u.id, email };
  }
  return { orgs, users: result };
}

/**
 * Signs in as a world user. In these tests MFA is compulsory for sensitive roles: the
 * helper enrols TOTP when asked and answers the challenge, as a person would.
 */
export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<Client> {
  const client = new Client(t.app);
  const res = await client.post('/api/v1/auth/login', { email, password });
  if (res.statusCode !== 200) throw new Error(`login failed for ${email}: ${res.statusCode} ${res.body}`);
  const { mfaRequired, mfaEnrollmentRequired } = res.json();
  if (mfaEnrollmentRequired) {
    const { totpAt } = await import('../../src/server/platform/auth/mfa');
    const start = await client.post('/api/v1/auth/mfa/enrol');
    const secret = start.json().secret as string;
    const confirm = await client.post('/api/v1/auth/mfa/enrol/confirm', { code: totpAt(secret, t.clock.now()) });
    if (confirm.statusCode !== 200) throw new Error(`enrolment failed: ${confirm.body}`);
    client.refreshCsrf();
    totpSecrets.set(email, secret);
  } else if (mfaRequired) {
    const { totpAt } = await import('../../src/server/platform/auth/mfa');
    const secret = totpSecrets.get(email);
    if (!secret) throw new Error(`no known TOTP secret for ${email}`);
    t.clock.advance(30_000); // a new time step: a code is never accepted twice
    const mfa = await client.post('/api/v1/auth/mfa', { code: totpAt(secret, t.clock.now()) });
    if (mfa.statusCode !== 200) throw new Error(`mfa failed: ${mfa.body}`);
    client.refreshCsrf();
  }
  return client;
}

/** TOTP secrets enrolled by signIn, per e-mail, for later sign-ins in the same test file. */
export const totpSecrets = new Map<string, string>();
