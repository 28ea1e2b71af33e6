import { randomUUID } from 'node:crypto';
import type { DeclarationContent, IncidentDetail } from '../../src/contracts/incidents';
import type { Client } from './app';

/** A complete declaration: enough to declare. Override what a test is about. */
export function completeContent(overrides: Partial<DeclarationContent> = {}): DeclarationContent {
  return {
    declarant: { name: 'Test RSSI', jobTitle: 'RSSI', phone: '03 20 00 00 00', email: 'rssi@test.hygie.fr' },
    title: 'Rançongiciel sur les serveurs du laboratoire',
    description: 'Fichiers chiffrés découverts à 6 h, note de rançon sur les serveurs.',
    discoveredAt: '2026-03-02T05:00:00.000Z',
    perimeter: { wholeEstablishment: false, details: 'Laboratoire' },
    systems: ['lab', 'servers'],
    data: ['health'],
    handling: 'containment',
    impacts: { availability: true, careImpact: true, degradedMode: true, personalData: false },
    origin: 'malicious',
    type: 'ransomware',
    supportRequested: true,
    ...overrides,
  };
}

/** Declares an incident through the API (one request, with a fresh Idempotency-Key); throws unless it was created. */
export async function declareIncident(client: Client, orgId: string, overrides: Partial<DeclarationContent> = {}): Promise<IncidentDetail> {
  const res = await client.request('POST', '/api/v1/incidents', { orgId, content: completeContent(overrides), declare: true }, { 'idempotency-key': randomUUID() });
  if (res.statusCode !== 201) throw new Error(`declareIncident: ${res.statusCode} ${res.body}`);
  return res.json();
}
