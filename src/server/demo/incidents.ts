import { createHash, randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { DeclarationContent, IndicatorType, Nis2Category, ObligationKind, Tlp } from '../../contracts/incidents';
import { SEVERITY_LABELS, alertPath } from '../modules/incidents/alerts';
import { detectAround, type DetectionDeps } from '../modules/incidents/detection';
import { normaliseIndicator } from '../modules/incidents/indicators';
import { OBLIGATION_LABELS, frenchDateTime, syncObligations } from '../modules/incidents/obligations';
import { alertRecipients, alerts, incidents, indicators, nis2Settings, obligations, revisions, tasks, timeline } from '../modules/incidents/schema';
import { changedFields } from '../modules/incidents/service';
import type { Db } from '../platform/db/client';
import { writeNotifications, type NewNotification } from '../platform/notifications/service';
import { notifications } from '../platform/notifications/schema';
import { organisations, users } from '../platform/tenancy/schema';
import type { DemoIds } from './seed';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const yearInParis = (d: Date) => new Intl.DateTimeFormat('fr-FR', { year: 'numeric', timeZone: 'Europe/Paris' }).format(d);

type TimelineKind = 'fact' | 'decision' | 'action' | 'communication';
type RegionFollowUp = 'acknowledged' | 'supporting' | 'closed';

/** Who declares for each establishment: its RSSI, or the GHT's coordinator (a mutualised RSSI) where it has none. */
const DECLARANTS: Record<string, { jobTitle: string; phone: string }> = {
  'rssi@ch-demo.fr': { jobTitle: 'Responsable de la sécurité des systèmes d’information', phone: '03 53 01 20 41' },
  'direction@ch-demo.fr': { jobTitle: 'Directrice', phone: '03 53 01 20 00' },
  'rssi@ehpad-demo.fr': { jobTitle: 'Référente sécurité informatique', phone: '03 53 01 35 12' },
  'coord@ght-demo.fr': { jobTitle: 'RSSI mutualisé du GHT', phone: '03 53 01 48 77' },
};

/** One incident as the service would have written it, step by step; times in hours after the discovery unless said otherwise. */
interface DemoIncident {
  org: string;
  by: string;
  discovered: Date;
  /** hours between the discovery and the declaration */
  declaredAfter: number;
  content: Omit<DeclarationContent, 'declarant' | 'discoveredAt'>;
  /** completions of the declaration, hours after the discovery */
  updates?: { after: number; patch: Partial<DeclarationContent>; comment: string }[];
  /** obligations met, hours after the discovery (a closed incident has all of them met) */
  done?: Partial<Record<ObligationKind, { after: number; reference?: string }>>;
  timeline?: { kind: TimelineKind; after: number; body: string }[];
  region?: { status: RegionFollowUp; after: number; note?: string };
  closed?: { afterDays: number; lessons: string };
}

/** Hours after the discovery each obligation of a closed incident was met, unless said otherwise. */
const USUAL_DELAYS: Record<ObligationKind, number> = { health_authorities: 0, cnil: 48, nis2_early_warning: 1, nis2_notification: 60, nis2_final_report: 27 * 24 };
const REGION_TEXT: Record<RegionFollowUp, string> = {
  acknowledged: 'Réception accusée par la région',
  supporting: 'Appui de la région en cours',
  closed: 'Suivi de la région terminé',
};

/**
 * A platform for the functions of the incidents module that run inside the seed's
 * transaction (campaign detection): its clock is the moment of the event replayed, its
 * notifications land in the transaction, and no e-mail of the demo's past is sent.
 */
function replayPlatform(at: Date): DetectionDeps {
  return {
    clock: { now: () => at },
    config: { publicUrl: '' },
    notify: (tx: Db, items: NewNotification[]) => writeNotifications(tx, items, at),
    mail: { enqueue: async () => randomUUID() },
  };
}

/**
 * Capability 2's demo: a year of closed incidents across the GHT's establishments (for the
 * statistics), the general hospital — a NIS2 « entité essentielle » — in the middle of a
 * ransomware attack discovered twenty hours ago, the psychiatric centre's phishing sharing
 * its domain (a campaign detected for the region), an alert of the region to all its
 * establishments, and the hospital RSSI's notifications.
 */
export async function seedIncidentDemo(tx: Db, ids: DemoIds, now: Date): Promise<void> {
  const org = (key: string) => ids.orgs.get(key)!;
  const user = (email: string) => ids.users.get(email)!;
  const people = new Map(
    (await tx.select({ id: users.id, email: users.email, name: users.displayName }).from(users).where(inArray(users.id, [...ids.users.values()]))).map((u) => [u.email, u]),
  );
  const nameOf = (email: string) => people.get(email)!.name;
  const orgNames = new Map(
    (await tx.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, [...ids.orgs.values()]))).map((o) => [o.id, o.name]),
  );
  const regionName = orgNames.get(org('region'))!;
  const coord = 'coord@region-demo.fr';
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const daysAgo = (days: number, hour = 9) => {
    const d = new Date(now.getTime() - days * DAY);
    d.setUTCHours(hour, 0, 0, 0);
    return d;
  };

  // The general hospital is an « entité essentielle » under NIS2; the others are not subject to it.
  const nis2: Record<string, Nis2Category> = { ch: 'essential', psy: 'none', ehpad: 'none', smr: 'none' };
  await tx.insert(nis2Settings).values({ orgId: org('ch'), category: 'essential', updatedBy: user('direction@ch-demo.fr'), updatedAt: daysAgo(400) });

  const numbers = new Map<string, number>();
  let serial = 0;
  const referenceFor = (kind: ObligationKind, at: Date) => {
    serial++;
    const year = yearInParis(at);
    if (kind === 'health_authorities') return `SIG-${year}-${String(4100 + serial * 37).padStart(5, '0')}`;
    if (kind === 'cnil') return `CNIL-NOTIF-${year}-${String(20_000 + serial * 211)}`;
    return `ANSSI-${year}-${String(700 + serial * 13).padStart(4, '0')}`;
  };

  /** Writes one incident as the service does: created, declared (first revision, clocks, timeline), completed, followed by the region, closed. */
  async function write(spec: DemoIncident): Promise<{ id: string; reference: string; title: string }> {
    const author = people.get(spec.by)!;
    const orgId = org(spec.org);
    const declaredAt = new Date(spec.discovered.getTime() + spec.declaredAfter * HOUR);
    const createdAt = new Date(declaredAt.getTime() - 25 * 60_000);
    const at = (hours: number) => new Date(spec.discovered.getTime() + hours * HOUR);
    const year = yearInParis(createdAt);
    const n = (numbers.get(`${orgId}:${year}`) ?? 0) + 1;
    numbers.set(`${orgId}:${year}`, n);
    const reference = `INC-${year}-${String(n).padStart(3, '0')}`;
    let content: DeclarationContent = {
      declarant: { name: author.name, jobTitle: DECLARANTS[spec.by].jobTitle, phone: DECLARANTS[spec.by].phone, email: author.email },
      discoveredAt: spec.discovered.toISOString(),
      ...spec.content,
    };
    const [row] = await tx
      .insert(incidents)
      .values({ orgId, reference, content, title: content.title ?? '', status: 'draft', createdBy: author.id, createdAt, updatedBy: author.id, updatedAt: createdAt })
      .returning({ id: incidents.id });
    const id = row.id;
    const entries: { kind: TimelineKind | 'system'; body: string; occurredAt: Date; authorId: string }[] = [];

    // Declared: version 2, its first revision, the clocks, the system entry.
    let version = 2;
    await tx.insert(revisions).values({ incidentId: id, version, content, changedFields: [], comment: 'Déclaration initiale', authorId: author.id, at: declaredAt });
    await syncObligations(tx, id, content, nis2[spec.org]);
    entries.push({ kind: 'system', body: `Incident déclaré par ${author.name}.`, occurredAt: declaredAt, authorId: author.id });

    // Completed as facts came in: each change kept with the fields it touched.
    for (const update of spec.updates ?? []) {
      const next: DeclarationContent = { ...content, ...update.patch };
      const fields = changedFields(content, next);
      const when = at(update.after);
      version++;
      await tx.insert(revisions).values({ incidentId: id, version, content: next, changedFields: fields, comment: update.comment, authorId: author.id, at: when });
      await syncObligations(tx, id, next, nis2[spec.org]);
      entries.push({ kind: 'system', body: `Déclaration complétée par ${author.name} : ${update.comment}.`, occurredAt: when, authorId: author.id });
      content = next;
    }

    // The regulatory obligations met, with the reference the portal gave.
    const clocks = await tx.select().from(obligations).where(eq(obligations.incidentId, id));
    for (const o of clocks) {
      const planned = spec.done?.[o.kind];
      if (!planned && !spec.closed) continue;
      const doneAt = at(Math.max(planned?.after ?? USUAL_DELAYS[o.kind], spec.declaredAfter + 0.25));
      const reference = planned?.reference ?? referenceFor(o.kind, doneAt);
      await tx.update(obligations).set({ status: 'done', doneAt, doneBy: author.id, reference }).where(eq(obligations.id, o.id));
      entries.push({ kind: 'system', body: `${OBLIGATION_LABELS[o.kind]} : faite (référence ${reference}).`, occurredAt: doneAt, authorId: author.id });
    }

    for (const e of spec.timeline ?? []) entries.push({ kind: e.kind, body: e.body, occurredAt: at(e.after), authorId: author.id });

    // The region's follow-up.
    let region: { regionStatus: RegionFollowUp; regionAcknowledgedAt: Date; regionAcknowledgedBy: string; regionNote: string | null } | null = null;
    if (spec.region) {
      const ackAt = at(spec.region.after);
      region = { regionStatus: spec.region.status, regionAcknowledgedAt: ackAt, regionAcknowledgedBy: user(coord), regionNote: spec.region.note ?? null };
      const say = (status: RegionFollowUp, when: Date, note?: string) => {
        const what = `${REGION_TEXT[status]} (${nameOf(coord)}, ${regionName})`;
        entries.push({ kind: 'system', body: note ? `${what} : ${note}` : `${what}.`, occurredAt: when, authorId: user(coord) });
      };
      if (spec.region.status === 'closed' && spec.closed) {
        say('acknowledged', ackAt, spec.region.note);
        say('closed', at(spec.closed.afterDays * 24 + 2));
      } else {
        say(spec.region.status, ackAt, spec.region.note);
      }
    }

    const closedAt = spec.closed ? at(spec.closed.afterDays * 24) : null;
    if (closedAt) {
      version++;
      entries.push({ kind: 'system', body: `Incident clos par ${author.name}.`, occurredAt: closedAt, authorId: author.id });
    }
    const last = entries.reduce((max, e) => (e.occurredAt > max ? e.occurredAt : max), declaredAt);
    if (last > now) throw new Error(`Démonstration incohérente : ${reference} a un événement dans le futur.`);
    await tx.insert(timeline).values(entries.map((e) => ({ incidentId: id, ...e, createdAt: e.occurredAt })));

    await tx
      .update(incidents)
      .set({
        regionId: org('region'),
        status: closedAt ? 'closed' : 'declared',
        content,
        version,
        title: content.title ?? '',
        type: content.type ?? null,
        origin: content.origin ?? null,
        discoveredAt: spec.discovered,
        careImpact: content.impacts?.careImpact === true,
        degradedMode: content.impacts?.degradedMode === true,
        personalData: content.impacts?.personalData === true,
        supportRequested: content.supportRequested === true,
        declaredBy: author.id,
        declaredAt,
        closedBy: closedAt ? author.id : null,
        closedAt,
        lessons: spec.closed?.lessons ?? null,
        updatedBy: author.id,
        updatedAt: closedAt ?? (spec.updates?.length ? at(spec.updates[spec.updates.length - 1].after) : declaredAt),
        ...(region ?? {}),
      })
      .where(eq(incidents.id, id));
    return { id, reference, title: content.title ?? '' };
  }

  const service = (i: number) => org(`ch-service-${i}`); // Urgences 0, Pharmacie 3, Laboratoire 4, Imagerie 5, Maternité 6
  const resolved = (after: number): DemoIncident['updates'] => [{ after, patch: { handling: 'resolved' }, comment: 'Situation rétablie' }];

  // --- A year of closed incidents, oldest first (references are numbered in order) ----------
  const past: DemoIncident[] = [
    {
      org: 'ch',
      by: 'rssi@ch-demo.fr',
      discovered: daysAgo(330, 8),
      declaredAfter: 5,
      content: {
        title: 'Hameçonnage visant les secrétariats médicaux',
        description: 'Un courriel imitant la messagerie sécurisée de santé demandait de « revalider » son compte. Trois secrétaires ont saisi leur mot de passe avant l’alerte.',
        perimeter: { wholeEstablishment: false, orgIds: [service(0), service(6)], details: 'Secrétariats des urgences et de la maternité' },
        systems: ['messaging'],
        data: ['credentials'],
        handling: 'remediation',
        impacts: { confidentiality: true, personalData: false, careImpact: false },
        causes: 'Courriel frauduleux très soigné, envoyé depuis un domaine ressemblant à celui de la messagerie de santé.',
        origin: 'malicious',
        type: 'phishing',
        supportRequested: false,
      },
      updates: resolved(30),
      timeline: [
        { kind: 'action', after: 2, body: 'Mots de passe des trois comptes réinitialisés, sessions fermées.' },
        { kind: 'communication', after: 6, body: 'Message de vigilance envoyé à tout le personnel.' },
      ],
      region: { status: 'closed', after: 8 },
      closed: { afterDays: 32, lessons: 'Activer la double authentification sur la messagerie ; refaire une sensibilisation des secrétariats chaque année ; le bouton « signaler un courriel » a permis une alerte rapide, à garder.' },
    },
    {
      org: 'ehpad',
      by: 'rssi@ehpad-demo.fr',
      discovered: daysAgo(300, 22),
      declaredAfter: 10,
      content: {
        title: 'Panne du serveur de soins après une coupure de courant',
        description: 'Après une coupure d’électricité de la nuit, le serveur du logiciel de soins ne redémarrait plus. Plans de soins et administration des médicaments sur papier pendant 30 heures.',
        perimeter: { wholeEstablishment: true },
        systems: ['patient_record', 'servers'],
        data: ['health'],
        handling: 'remediation',
        impacts: { availability: true, careImpact: false, degradedMode: true, personalData: false },
        causes: 'Onduleur hors service depuis plusieurs mois sans alarme.',
        origin: 'accidental',
        type: 'failure',
        supportRequested: false,
      },
      updates: resolved(40),
      timeline: [{ kind: 'decision', after: 1, body: 'Passage aux classeurs de soins papier (procédure dégradée).' }],
      region: { status: 'closed', after: 14 },
      closed: { afterDays: 12, lessons: 'Faire vérifier l’onduleur chaque année ; garder à jour les classeurs papier ; une sauvegarde hors du local serveur a permis de tout récupérer.' },
    },
    {
      org: 'smr',
      by: 'coord@ght-demo.fr',
      discovered: daysAgo(270, 10),
      declaredAfter: 4,
      content: {
        title: 'Messagerie d’un kinésithérapeute utilisée pour envoyer des courriels frauduleux',
        description: 'Le compte de messagerie d’un kinésithérapeute a envoyé 400 courriels frauduleux à des correspondants pendant la nuit.',
        perimeter: { wholeEstablishment: false, orgIds: [org('smr-service')] },
        systems: ['messaging'],
        data: ['credentials'],
        handling: 'containment',
        impacts: { confidentiality: true, personalData: false },
        causes: 'Mot de passe réutilisé sur un site personnel piraté.',
        origin: 'malicious',
        type: 'compromised_account',
        supportRequested: false,
      },
      updates: resolved(20),
      region: { status: 'closed', after: 6 },
      closed: { afterDays: 9, lessons: 'Double authentification pour tous les comptes de messagerie ; rappeler de ne jamais réutiliser un mot de passe professionnel.' },
    },
    {
      org: 'ch',
      by: 'rssi@ch-demo.fr',
      discovered: daysAgo(240, 6),
      declaredAfter: 3,
      content: {
        title: 'Logiciel du laboratoire indisponible chez l’hébergeur',
        description: 'L’hébergeur du logiciel de laboratoire a subi une panne majeure : plus de résultats en ligne pendant 9 heures.',
        perimeter: { wholeEstablishment: false, orgIds: [service(4)] },
        systems: ['lab'],
        data: ['health'],
        handling: 'analysis',
        impacts: { availability: true, careImpact: true, degradedMode: true, personalData: false, careDetails: 'Résultats urgents transmis par téléphone ; examens non urgents reportés.' },
        causes: 'Panne chez le prestataire d’hébergement, cause non communiquée au départ.',
        origin: 'unknown',
        type: 'supplier_incident',
        supportRequested: false,
      },
      updates: [{ after: 30, patch: { handling: 'resolved', causes: 'Erreur de mise à jour chez l’hébergeur, confirmée par son rapport.' }, comment: 'Cause confirmée par l’hébergeur' }],
      timeline: [
        { kind: 'decision', after: 1, body: 'Procédure dégradée du laboratoire : résultats urgents par téléphone.' },
        { kind: 'communication', after: 2, body: 'Information des services de soins par le cadre du laboratoire.' },
      ],
      region: { status: 'closed', after: 5 },
      closed: { afterDays: 33, lessons: 'Demander à l’hébergeur un engagement de reprise écrit dans le contrat ; tester la procédure dégradée du laboratoire deux fois par an.' },
    },
    {
      org: 'psy',
      by: 'coord@ght-demo.fr',
      discovered: daysAgo(210, 14),
      declaredAfter: 6,
      content: {
        title: 'Compte rendu d’hospitalisation envoyé au mauvais destinataire',
        description: 'Un compte rendu d’hospitalisation a été envoyé par erreur à un homonyme du médecin traitant.',
        perimeter: { wholeEstablishment: false, orgIds: [org('psy-service')] },
        systems: ['messaging'],
        data: ['health', 'identity'],
        handling: 'resolved',
        impacts: { confidentiality: true, personalData: true },
        causes: 'Choix du destinataire dans l’annuaire sans vérifier la ville.',
        origin: 'accidental',
        type: 'data_leak',
        supportRequested: false,
      },
      region: { status: 'closed', after: 10 },
      closed: { afterDays: 6, lessons: 'Afficher la ville et la spécialité dans l’annuaire de la messagerie ; le destinataire a confirmé la suppression par écrit.' },
    },
    {
      org: 'ch',
      by: 'rssi@ch-demo.fr',
      discovered: daysAgo(180, 9),
      declaredAfter: 4,
      content: {
        title: 'Clé USB infectée sur une console d’imagerie',
        description: 'L’antivirus a bloqué un logiciel malveillant venu d’une clé USB personnelle branchée sur une console d’imagerie.',
        perimeter: { wholeEstablishment: false, orgIds: [service(5)] },
        systems: ['imaging', 'workstations'],
        data: ['unknown'],
        handling: 'containment',
        impacts: { integrity: true },
        origin: 'malicious',
        type: 'malware',
        supportRequested: false,
      },
      updates: resolved(26),
      region: { status: 'closed', after: 6 },
      closed: { afterDays: 31, lessons: 'Bloquer les ports USB des consoles d’imagerie ; station de décontamination des clés à l’accueil du service.' },
    },
    {
      org: 'ehpad',
      by: 'rssi@ehpad-demo.fr',
      discovered: daysAgo(150, 11),
      declaredAfter: 8,
      content: {
        title: 'Tentative de fraude au changement de RIB d’un fournisseur',
        description: 'Un courriel imitant le fournisseur de repas demandait de payer les prochaines factures sur un nouveau compte bancaire.',
        perimeter: { wholeEstablishment: false, details: 'Service administratif et financier' },
        systems: ['messaging', 'admin_billing'],
        data: ['financial'],
        handling: 'resolved',
        impacts: { confidentiality: false },
        causes: 'Usurpation de l’identité du fournisseur ; aucun virement fait.',
        origin: 'malicious',
        type: 'fraud',
        supportRequested: false,
      },
      region: { status: 'closed', after: 12 },
      closed: { afterDays: 5, lessons: 'Tout changement de RIB se confirme par téléphone au numéro habituel du fournisseur, jamais à celui du courriel.' },
    },
    {
      org: 'ch',
      by: 'rssi@ch-demo.fr',
      discovered: daysAgo(120, 15),
      declaredAfter: 3,
      content: {
        title: 'Site internet et prise de rendez-vous en ligne saturés',
        description: 'Le site internet et la prise de rendez-vous en ligne ont été inaccessibles pendant quatre heures sous un afflux de requêtes.',
        perimeter: { wholeEstablishment: true },
        systems: ['website'],
        data: [],
        handling: 'containment',
        impacts: { availability: true },
        causes: 'Attaque par déni de service revendiquée par un groupe militant.',
        origin: 'malicious',
        type: 'denial_of_service',
        supportRequested: false,
      },
      updates: resolved(8),
      region: { status: 'closed', after: 4 },
      closed: { afterDays: 32, lessons: 'Souscrire la protection anti-déni de service de l’hébergeur ; afficher le numéro du standard quand le site est indisponible.' },
    },
    {
      org: 'smr',
      by: 'coord@ght-demo.fr',
      discovered: daysAgo(95, 9),
      declaredAfter: 5,
      content: {
        title: 'Faux courriel de l’Assurance maladie',
        description: 'Un courriel imitant l’Assurance maladie invitait à télécharger une « nouvelle convention ». Deux postes ont ouvert la pièce jointe ; l’antivirus l’a bloquée.',
        perimeter: { wholeEstablishment: false, details: 'Accueil et bureau des entrées' },
        systems: ['messaging', 'workstations'],
        data: ['unknown'],
        handling: 'resolved',
        impacts: {},
        origin: 'malicious',
        type: 'phishing',
        supportRequested: false,
      },
      region: { status: 'closed', after: 7 },
      closed: { afterDays: 7, lessons: 'Le filtrage des pièces jointes a fonctionné ; rappel aux équipes de l’accueil sur les pièces jointes inattendues.' },
    },
    {
      org: 'ch',
      by: 'rssi@ch-demo.fr',
      discovered: daysAgo(70, 7),
      declaredAfter: 2,
      content: {
        title: 'Faille de la passerelle d’accès à distance exploitée',
        description: 'Des connexions anormales ont été détectées sur la passerelle d’accès à distance, non corrigée d’une faille publiée la veille.',
        perimeter: { wholeEstablishment: true },
        systems: ['network', 'servers'],
        data: ['credentials'],
        handling: 'containment',
        impacts: { confidentiality: true, integrity: true },
        causes: 'Correctif de sécurité non appliqué : fenêtre de maintenance prévue la semaine suivante.',
        origin: 'malicious',
        type: 'exploited_vulnerability',
        supportRequested: true,
        supportDetails: 'Aide à l’analyse des journaux de la passerelle.',
      },
      updates: resolved(72),
      timeline: [
        { kind: 'decision', after: 0.5, body: 'Passerelle coupée ; accès à distance des médecins d’astreinte par téléphone.' },
        { kind: 'action', after: 10, body: 'Correctif appliqué, mots de passe des comptes à distance réinitialisés.' },
      ],
      region: { status: 'closed', after: 3, note: 'Analyse des journaux faite avec la cellule régionale : pas de propagation.' },
      closed: { afterDays: 32, lessons: 'Appliquer sous 48 heures les correctifs critiques des équipements exposés à Internet ; surveiller les alertes de sécurité des éditeurs.' },
    },
    {
      org: 'psy',
      by: 'coord@ght-demo.fr',
      discovered: daysAgo(45, 19),
      declaredAfter: 14,
      content: {
        title: 'Téléphonie de l’unité d’admission en panne',
        description: 'Plus d’appels entrants ni sortants à l’unité d’admission pendant une nuit et une matinée.',
        perimeter: { wholeEstablishment: false, orgIds: [org('psy-service')] },
        systems: ['telephony'],
        data: [],
        handling: 'resolved',
        impacts: { availability: true, careImpact: true, degradedMode: true, careDetails: 'Appels d’urgence renvoyés vers le standard du centre hospitalier ; téléphones portables de secours distribués.' },
        causes: 'Carte d’alimentation de l’autocommutateur défectueuse.',
        origin: 'accidental',
        type: 'failure',
        supportRequested: false,
      },
      region: { status: 'closed', after: 16 },
      closed: { afterDays: 10, lessons: 'Garder deux téléphones portables chargés dans chaque unité ; contrat de maintenance de l’autocommutateur avec intervention sous 4 heures.' },
    },
    {
      org: 'ehpad',
      by: 'rssi@ehpad-demo.fr',
      discovered: daysAgo(25, 8),
      declaredAfter: 6,
      content: {
        title: 'Compte du logiciel de soins utilisé depuis l’extérieur',
        description: 'Le compte d’une infirmière a été utilisé depuis une adresse étrangère pour consulter des dossiers de résidents.',
        perimeter: { wholeEstablishment: true },
        systems: ['patient_record'],
        data: ['health', 'identity'],
        handling: 'containment',
        impacts: { confidentiality: true, personalData: true },
        causes: 'Mot de passe noté sur un post-it photographié et publié sur un réseau social.',
        origin: 'malicious',
        type: 'compromised_account',
        supportRequested: true,
        supportDetails: 'Conseils pour informer les familles.',
      },
      updates: resolved(50),
      region: { status: 'closed', after: 8, note: 'Modèle de courrier aux familles envoyé par la région.' },
      closed: { afterDays: 10, lessons: 'Accès au logiciel de soins depuis l’extérieur fermé ; mots de passe personnels rappelés à chaque arrivée ; les familles ont été informées par courrier.' },
    },
  ];
  for (const spec of past) await write(spec);

  // --- The psychiatric centre's phishing, three days ago, still open ----------------------
  const phishingDomain = normalised('domain', 'portail-rh-sante.example');
  const psyPhishing = await write({
    org: 'psy',
    by: 'coord@ght-demo.fr',
    discovered: ago(72),
    declaredAfter: 2,
    content: {
      title: 'Faux portail RH : identifiants saisis par deux agents',
      description: 'Un courriel annonçant « une régularisation de paie » renvoyait vers un faux portail RH. Deux agents de l’unité d’admission y ont saisi leurs identifiants.',
      perimeter: { wholeEstablishment: false, orgIds: [org('psy-service')] },
      systems: ['messaging', 'workstations'],
      data: ['credentials'],
      handling: 'remediation',
      impacts: { confidentiality: true, personalData: false },
      causes: 'Courriel frauduleux imitant la direction des ressources humaines du GHT.',
      origin: 'malicious',
      type: 'phishing',
      supportRequested: false,
    },
    done: { health_authorities: { after: 3, reference: `SIG-${yearInParis(ago(69))}-08812` } },
    timeline: [
      { kind: 'fact', after: 0, body: 'Un cadre de santé signale un courriel de « régularisation de paie » qui lui paraît suspect.' },
      { kind: 'action', after: 1, body: 'Mots de passe des deux agents réinitialisés ; domaine bloqué sur la messagerie du centre.' },
    ],
  });
  await tx.insert(indicators).values([
    { incidentId: psyPhishing.id, type: 'domain', value: phishingDomain, tlp: 'green', description: 'Faux portail RH', shareIdentity: false, createdBy: user('coord@ght-demo.fr'), createdAt: ago(69) },
    {
      incidentId: psyPhishing.id,
      type: 'email',
      value: normalised('email', 'regularisation-paie@portail-rh-sante.example'),
      tlp: 'green',
      description: 'Expéditeur du courriel',
      shareIdentity: false,
      createdBy: user('coord@ght-demo.fr'),
      createdAt: ago(69),
    },
  ]);

  // --- The hospital's ransomware attack, discovered twenty hours ago ----------------------
  const rssi = 'rssi@ch-demo.fr';
  const ransomware = await write({
    org: 'ch',
    by: rssi,
    discovered: ago(20),
    declaredAfter: 1,
    content: {
      title: 'Rançongiciel sur les serveurs du laboratoire et de l’imagerie',
      description:
        'À 5 h 40, l’équipe de nuit du laboratoire a trouvé des fichiers renommés et une note de rançon sur les postes. Les serveurs du laboratoire et de l’imagerie sont chiffrés ; le dossier patient informatisé fonctionne.',
      startedAt: ago(26).toISOString(),
      perimeter: { wholeEstablishment: false, orgIds: [service(4), service(5)], details: 'Laboratoire et imagerie médicale, site principal' },
      systems: ['lab', 'imaging', 'servers', 'workstations'],
      systemsDetails: 'Deux serveurs de fichiers, le serveur du logiciel de laboratoire, 35 postes.',
      data: ['health'],
      handling: 'containment',
      handlingDetails: 'Serveurs isolés du réseau, connexion Internet coupée sauf messagerie sécurisée, cellule de crise ouverte.',
      impacts: {
        availability: true,
        integrity: true,
        careImpact: true,
        degradedMode: true,
        patientsEndangered: false,
        personalData: false,
        careDetails: 'Examens de biologie envoyés au laboratoire du centre hospitalier voisin ; imagerie en mode dégradé, urgences régulées avec le SAMU.',
      },
      origin: 'malicious',
      type: 'ransomware',
      supportRequested: true,
      supportDetails: 'Appui de la cellule régionale pour l’analyse et la communication.',
    },
    updates: [
      {
        after: 8,
        patch: {
          data: ['health', 'identity'],
          dataDetails: 'Environ 2 Go copiés depuis le serveur de fichiers du laboratoire : comptes rendus et identités de patients.',
          impacts: {
            availability: true,
            integrity: true,
            confidentiality: true,
            careImpact: true,
            degradedMode: true,
            patientsEndangered: false,
            personalData: true,
            careDetails: 'Examens de biologie envoyés au laboratoire du centre hospitalier voisin ; imagerie en mode dégradé, urgences régulées avec le SAMU.',
          },
        },
        comment: 'Exfiltration de données confirmée par le prestataire',
      },
      { after: 15, patch: { handling: 'remediation', handlingDetails: 'Restauration des sauvegardes hors ligne en cours, postes réinstallés à partir d’une image saine.' }, comment: 'Restauration commencée' },
    ],
    done: {
      health_authorities: { after: 1.5, reference: `SIG-${yearInParis(ago(18))}-09135` },
      nis2_early_warning: { after: 4, reference: `ANSSI-${yearInParis(ago(16))}-1187` },
    },
    timeline: [
      { kind: 'fact', after: 0, body: 'L’équipe de nuit du laboratoire signale des fichiers renommés et une note de rançon sur plusieurs postes.' },
      { kind: 'action', after: 0.3, body: 'Serveurs du laboratoire et de l’imagerie isolés du réseau ; liaison Internet coupée sauf messagerie sécurisée.' },
      { kind: 'decision', after: 0.8, body: 'Cellule de crise ouverte par la directrice ; mode dégradé au laboratoire et en imagerie.' },
      { kind: 'communication', after: 2, body: 'Point aux équipes des urgences et du bloc : examens de biologie envoyés au laboratoire du centre hospitalier voisin.' },
      { kind: 'fact', after: 7, body: 'Le prestataire confirme une copie de données vers l’extérieur depuis le serveur de fichiers du laboratoire.' },
      { kind: 'decision', after: 9, body: 'La rançon ne sera pas payée ; plainte déposée à la gendarmerie.' },
      { kind: 'action', after: 15, body: 'Restauration des sauvegardes hors ligne du serveur d’imagerie commencée.' },
    ],
    region: { status: 'acknowledged', after: 2, note: 'Appui de la cellule régionale proposé ; point téléphonique quotidien à 14 h.' },
  });
  const owner = (email: string) => ({ id: user(email), name: nameOf(email) });
  const taskList = [
    { title: 'Réinstaller les postes du laboratoire à partir de l’image saine', owner: owner(rssi), due: isoDay(new Date(now.getTime() + DAY)), status: 'in_progress' as const, created: ago(14) },
    { title: 'Préparer la notification à la CNIL avec le délégué à la protection des données', owner: owner('direction@ch-demo.fr'), due: isoDay(new Date(ago(20).getTime() + 72 * HOUR)), status: 'todo' as const, created: ago(11) },
    { title: 'Réinitialiser les mots de passe des comptes administrateurs', owner: owner('coord@ght-demo.fr'), due: isoDay(ago(12)), status: 'done' as const, created: ago(17) },
  ];
  for (const task of taskList) {
    const doneAt = task.status === 'done' ? ago(10) : null;
    await tx.insert(tasks).values({
      incidentId: ransomware.id,
      title: task.title,
      ownerId: task.owner.id,
      dueDate: task.due,
      status: task.status,
      version: task.status === 'todo' ? 1 : 2,
      createdBy: user(rssi),
      createdAt: task.created,
      doneAt,
    });
    const entries = [{ body: `Tâche créée par ${nameOf(rssi)} : « ${task.title} » (responsable : ${task.owner.name}).`, at: task.created, by: user(rssi) }];
    if (doneAt) entries.push({ body: `Tâche terminée : « ${task.title} » (${task.owner.name}).`, at: doneAt, by: task.owner.id });
    await tx.insert(timeline).values(entries.map((e) => ({ incidentId: ransomware.id, kind: 'system' as const, body: e.body, occurredAt: e.at, authorId: e.by, createdAt: e.at })));
  }
  const sample: { type: IndicatorType; value: string; tlp: Tlp; description: string; shareIdentity: boolean; at: Date }[] = [
    { type: 'domain', value: phishingDomain, tlp: 'green', description: 'Faux portail RH de l’hameçonnage qui a précédé l’attaque', shareIdentity: true, at: ago(16) },
    { type: 'ipv4', value: normalised('ipv4', '203.0.113.45'), tlp: 'amber', description: 'Serveur de commande contacté par les postes chiffrés', shareIdentity: false, at: ago(12) },
    {
      type: 'sha256',
      value: createHash('sha256').update('hygie-demo : chiffreur trouvé sur le serveur du laboratoire').digest('hex'),
      tlp: 'clear',
      description: 'Exécutable du chiffreur trouvé sur le serveur du laboratoire',
      shareIdentity: false,
      at: ago(11),
    },
  ];
  await tx.insert(indicators).values(sample.map((s) => ({ incidentId: ransomware.id, type: s.type, value: s.value, tlp: s.tlp, description: s.description, shareIdentity: s.shareIdentity, createdBy: user(rssi), createdAt: s.at })));

  // The region is told of each declaration; the domain shared with the psychiatric centre is a campaign.
  await writeNotifications(tx, [{ userId: user(coord), orgId: org('region'), kind: 'incident.declared', title: `Nouvelle déclaration d’incident : ${orgNames.get(org('psy'))}`, body: `${psyPhishing.reference} — ${psyPhishing.title}`, link: `/incidents/${psyPhishing.id}` }], ago(70));
  await writeNotifications(tx, [{ userId: user(coord), orgId: org('region'), kind: 'incident.declared', title: `Nouvelle déclaration d’incident : ${orgNames.get(org('ch'))}`, body: `${ransomware.reference} — ${ransomware.title}`, link: `/incidents/${ransomware.id}` }], ago(19));
  await detectAround(replayPlatform(ago(16)), tx, ransomware.id);

  // --- The region's alert to all its establishments, acknowledged by the hospital only ----
  const establishments = ['ch', 'psy', 'ehpad', 'smr'].map(org);
  const published = ago(14);
  const [alert] = await tx
    .insert(alerts)
    .values({
      regionId: org('region'),
      title: 'Hameçonnage suivi d’un rançongiciel : vigilance renforcée',
      severity: 'high',
      summary: 'Un établissement de la région a été touché cette nuit par un rançongiciel après une campagne d’hameçonnage imitant un portail RH. Un autre établissement a reçu les mêmes courriels.',
      whatToCheck: 'Recherchez dans les journaux de la messagerie et du proxy toute connexion au domaine portail-rh-sante.example depuis quinze jours.\nVérifiez que les sauvegardes hors ligne de la nuit dernière sont complètes.',
      whatToDo: 'Bloquez le domaine sur le proxy et la messagerie.\nRappelez aux équipes de ne saisir leur mot de passe que sur l’intranet habituel.\nSignalez sans attendre tout courriel suspect à votre RSSI ou au GHT.',
      products: ['Messagerie', 'Proxy web'],
      publishedBy: user(coord),
      publishedAt: published,
    })
    .returning({ id: alerts.id, title: alerts.title, summary: alerts.summary });
  await tx.insert(alertRecipients).values(establishments.map((orgId) => (orgId === org('ch') ? { alertId: alert.id, orgId, acknowledgedAt: ago(13), acknowledgedBy: user(rssi) } : { alertId: alert.id, orgId })));
  const alertTitle = `Alerte ${SEVERITY_LABELS.high.toLowerCase()} de ${regionName} : ${alert.title}`;
  const alertees: [string, string][] = [
    [rssi, org('ch')],
    ['direction@ch-demo.fr', org('ch')],
    ['rssi@ehpad-demo.fr', org('ehpad')],
    ['coord@ght-demo.fr', org('ght')],
  ];
  await writeNotifications(
    tx,
    alertees.map(([email, orgId]) => ({ userId: user(email), orgId, kind: 'incident.alert', title: alertTitle, body: alert.summary, link: alertPath(alert.id) })),
    published,
  );

  // --- What the hospital's RSSI finds in the app: the region's answer, close deadlines ----
  await writeNotifications(
    tx,
    [rssi, 'direction@ch-demo.fr'].map((email) => ({
      userId: user(email),
      orgId: org('ch'),
      kind: 'incident.region',
      title: `${regionName} a accusé réception de l’incident ${ransomware.reference}`,
      body: 'Appui de la cellule régionale proposé ; point téléphonique quotidien à 14 h.',
      link: `/incidents/${ransomware.id}`,
    })),
    ago(18),
  );
  const pending = await tx
    .select({ kind: obligations.kind, dueAt: obligations.dueAt })
    .from(obligations)
    .where(and(eq(obligations.incidentId, ransomware.id), eq(obligations.status, 'pending'), inArray(obligations.kind, ['cnil', 'nis2_notification'])));
  await writeNotifications(
    tx,
    pending.map((o) => ({
      userId: user(rssi),
      orgId: org('ch'),
      kind: 'incident.deadline',
      title: `Échéance proche : ${OBLIGATION_LABELS[o.kind]}`,
      body: `${ransomware.reference} — ${ransomware.title} : échéance ${frenchDateTime(o.dueAt)}.`,
      link: `/incidents/${ransomware.id}`,
    })),
    ago(1),
  );
  // Read: what he has already dealt with (the alert he acknowledged, the region's answer).
  await tx
    .update(notifications)
    .set({ readAt: ago(13) })
    .where(and(eq(notifications.userId, user(rssi)), inArray(notifications.kind, ['incident.alert', 'incident.region'])));
}

function normalised(type: IndicatorType, raw: string): string {
  const result = normaliseIndicator(type, raw);
  if (!result.ok) throw new Error(`Démonstration : indicateur invalide ${raw} (${result.message})`);
  return result.value;
}
