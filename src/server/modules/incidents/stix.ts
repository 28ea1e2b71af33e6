import { createHash } from 'node:crypto';
import type { INCIDENT_ORIGINS, IndicatorType, Tlp } from '../../../contracts/incidents';
import { INDICATOR_LABELS, strictestTlp } from './indicators';

type IncidentOrigin = (typeof INCIDENT_ORIGINS)[number];

/**
 * An incident and its indicators of compromise as a STIX 2.1 bundle, for the national
 * health CERT and the tools of other CERTs (MISP, OpenCTI…): the establishment as an
 * `identity`, the `incident`, one `indicator` per indicator with a STIX pattern, an
 * `indicates` relationship from each to the incident, and the TLP 2.0 markings they
 * reference. Ids are UUID v5 of our own row ids: exporting twice gives the same objects,
 * so a receiving tool updates rather than duplicates. Pure: no database, no clock.
 */

/** RFC 4122 UUID version 5 (SHA-1 of a namespace and a name); node:crypto has no v5. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`invalid namespace uuid: ${namespace}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Hygie's namespace for the ids of the STIX objects it makes (a fixed random UUID, never to change). */
export const HYGIE_STIX_NAMESPACE = '6f1c1f64-3d7b-4c55-9a8e-2b1f0c6a9d41';
const stixId = (type: string, name: string) => `${type}--${uuidV5(`${type}:${name}`, HYGIE_STIX_NAMESPACE)}`;

/** The extension through which the official TLP 2.0 markings are defined (OASIS cti-stix-common-objects). */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** The official TLP 2.0 marking definitions, ids and content exactly as OASIS publishes them. */
const TLP2: Record<Tlp, { id: string; name: string; level: string }> = {
  clear: { id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', name: 'TLP:CLEAR', level: 'clear' },
  green: { id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', name: 'TLP:GREEN', level: 'green' },
  amber: { id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', name: 'TLP:AMBER', level: 'amber' },
  amber_strict: { id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', name: 'TLP:AMBER+STRICT', level: 'amber+strict' },
  red: { id: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', name: 'TLP:RED', level: 'red' },
};

export const tlpMarkingId = (tlp: Tlp) => TLP2[tlp].id;

export function tlpMarkingDefinition(tlp: Tlp) {
  const m = TLP2[tlp];
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: m.id,
    created: '2022-10-01T00:00:00.000Z',
    name: m.name,
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: m.level } },
  } as const;
}

/**
 * The declaration itself (what happened, where) is for the establishment and the
 * authorities it declares to: the incident, the establishment and the links between them
 * and the indicators are marked at least TLP:AMBER, whatever the indicators' own levels.
 */
export const INCIDENT_TLP: Tlp = 'amber';

/** A string literal of the STIX patterning language: backslashes and quotes escaped. */
export const patternLiteral = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The STIX pattern that matches an indicator of the given type. */
export function stixPattern(type: IndicatorType, value: string): string {
  const v = patternLiteral(value);
  switch (type) {
    case 'ipv4':
      return `[ipv4-addr:value = ${v}]`;
    case 'ipv6':
      return `[ipv6-addr:value = ${v}]`;
    case 'domain':
      return `[domain-name:value = ${v}]`;
    case 'url':
      return `[url:value = ${v}]`;
    case 'email':
      return `[email-addr:value = ${v}]`;
    case 'sha256':
      return `[file:hashes.'SHA-256' = ${v}]`;
    case 'sha1':
      return `[file:hashes.'SHA-1' = ${v}]`;
    case 'md5':
      return `[file:hashes.MD5 = ${v}]`;
  }
}

/** What an indicator of an incident of this origin says: malicious, or merely anomalous while the origin is unknown. */
function indicatorTypes(origin: IncidentOrigin | null): string[] | undefined {
  if (origin === 'malicious') return ['malicious-activity'];
  if (origin === 'unknown' || origin === null) return ['anomalous-activity'];
  return undefined;
}

export interface StixInput {
  establishment: { id: string; name: string; createdAt: Date };
  incident: {
    id: string;
    reference: string;
    title: string;
    description: string | null;
    origin: IncidentOrigin | null;
    createdAt: Date;
    updatedAt: Date;
  };
  indicators: { id: string; type: IndicatorType; value: string; tlp: Tlp; description: string | null; createdAt: Date }[];
}

export type StixObject = Record<string, unknown> & { type: string; id: string };
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

const ts = (d: Date) => d.toISOString();
/** `modified` never before `created`, whatever the clocks of the rows they come from. */
const later = (a: Date, b: Date) => (b.getTime() > a.getTime() ? b : a);

export function buildStixBundle(input: StixInput): StixBundle {
  const { establishment: org, incident } = input;
  const identityId = stixId('identity', org.id);
  const incidentId = stixId('incident', incident.id);
  const used = new Set<Tlp>([INCIDENT_TLP]);

  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: identityId,
    created: ts(org.createdAt),
    modified: ts(org.createdAt),
    name: org.name,
    identity_class: 'organization',
    sectors: ['health-care'],
    object_marking_refs: [tlpMarkingId(INCIDENT_TLP)],
  };
  const incidentObject: StixObject = {
    type: 'incident',
    spec_version: '2.1',
    id: incidentId,
    created_by_ref: identityId,
    created: ts(incident.createdAt),
    modified: ts(later(incident.createdAt, incident.updatedAt)),
    name: incident.title || `Incident ${incident.reference}`,
    ...(incident.description ? { description: incident.description } : {}),
    external_references: [{ source_name: 'hygie', external_id: incident.reference }],
    object_marking_refs: [tlpMarkingId(INCIDENT_TLP)],
  };

  const objects: StixObject[] = [identity, incidentObject];
  for (const ind of input.indicators) {
    used.add(ind.tlp);
    const indicatorId = stixId('indicator', ind.id);
    const types = indicatorTypes(incident.origin);
    objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id: indicatorId,
      created_by_ref: identityId,
      created: ts(ind.createdAt),
      modified: ts(ind.createdAt),
      name: `${INDICATOR_LABELS[ind.type]} : ${ind.value}`,
      ...(ind.description ? { description: ind.description } : {}),
      ...(types ? { indicator_types: types } : {}),
      pattern: stixPattern(ind.type, ind.value),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: ts(ind.createdAt),
      object_marking_refs: [tlpMarkingId(ind.tlp)],
    });
    const relTlp = strictestTlp(ind.tlp, INCIDENT_TLP);
    used.add(relTlp);
    const created = later(ind.createdAt, incident.createdAt);
    objects.push({
      type: 'relationship',
      spec_version: '2.1',
      id: stixId('relationship', `indicates:${ind.id}:${incident.id}`),
      created_by_ref: identityId,
      created: ts(created),
      modified: ts(created),
      relationship_type: 'indicates',
      source_ref: indicatorId,
      target_ref: incidentId,
      object_marking_refs: [tlpMarkingId(relTlp)],
    });
  }
  const markings = (Object.keys(TLP2) as Tlp[]).filter((t) => used.has(t)).map((t) => tlpMarkingDefinition(t) as unknown as StixObject);
  const all = [...markings, ...objects];
  // The bundle's id follows its content: the same export twice has the same id.
  const digest = createHash('sha256').update(JSON.stringify(all)).digest('hex');
  return { type: 'bundle', id: `bundle--${uuidV5(`bundle:${incident.id}:${digest}`, HYGIE_STIX_NAMESPACE)}`, objects: all };
}
