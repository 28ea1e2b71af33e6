import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../platform/db/client';
import {
  actionMeasures,
  actions,
  activeNode,
  answers,
  assessments,
  campaigns,
  frameworkNodes,
  frameworks,
  fundingDeclarations,
  fundingMilestones,
  fundingProgrammes,
} from '../modules/assessment/schema';
import { refreshScores } from '../modules/assessment/service';
import type { DemoIds } from './seed';

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A small deterministic generator, so every demo looks the same. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

type Status = 'oui' | 'partiel' | 'non' | 'na';

/** Answers for a share of the measures, with a maturity profile around `level` (0-3). */
async function answer(tx: Db, assessmentId: string, nodes: { id: string }[], share: number, level: number, userId: string, at: Date, seed: number) {
  const random = generator(seed);
  const answered = nodes.slice(0, Math.round(nodes.length * share));
  for (const node of answered) {
    const maturity = Math.max(0, Math.min(3, Math.round(level + (random() - 0.5) * 2.2)));
    const status: Status = random() < 0.04 ? 'na' : maturity === 3 ? 'oui' : maturity === 0 ? 'non' : 'partiel';
    await tx.insert(answers).values({
      assessmentId,
      nodeId: node.id,
      status,
      maturity: status === 'na' ? null : maturity,
      comment: null,
      updatedBy: userId,
      updatedAt: at,
    });
  }
  await refreshScores(tx, assessmentId);
}

/**
 * Capability 1's demo: a closed campaign of last year with results, this year's regional
 * campaign running (one establishment validated, one submitted, one half-way, one not
 * started), the express diagnostic of the EHPAD, the hospital's remediation plan, and a
 * funding programme with declarations at different stages.
 */
export async function seedAssessmentDemo(tx: Db, ids: DemoIds, now: Date): Promise<void> {
  const [referentiel] = await tx.select().from(frameworks).where(eq(frameworks.kind, 'referentiel'));
  const [express] = await tx.select().from(frameworks).where(eq(frameworks.kind, 'express'));
  if (!referentiel || !express) return; // content not loaded: nothing to build on
  const measuresOf = (frameworkId: string) =>
    tx
      .select({ id: frameworkNodes.id, suggested: frameworkNodes.suggestedActions })
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.frameworkId, frameworkId), eq(frameworkNodes.assessable, true), activeNode()))
      .orderBy(asc(frameworkNodes.position));
  const refMeasures = await measuresOf(referentiel.id);
  const expressMeasures = await measuresOf(express.id);
  const org = (key: string) => ids.orgs.get(key)!;
  const user = (email: string) => ids.users.get(email)!;
  const coord = user('coord@region-demo.fr');
  const rssi = user('rssi@ch-demo.fr');
  const direction = user('direction@ch-demo.fr');

  const lastYear = new Date(now.getTime() - 300 * DAY);
  const [previous] = await tx
    .insert(campaigns)
    .values({ orgId: org('region'), frameworkId: referentiel.id, title: 'Campagne régionale 2025', deadline: isoDay(new Date(lastYear.getTime() + 60 * DAY)), createdBy: coord, createdAt: lastYear, closedAt: new Date(lastYear.getTime() + 90 * DAY) })
    .returning();
  const [current] = await tx
    .insert(campaigns)
    .values({ orgId: org('region'), frameworkId: referentiel.id, title: 'Campagne régionale 2026', deadline: isoDay(new Date(now.getTime() + 45 * DAY)), createdBy: coord, createdAt: new Date(now.getTime() - 30 * DAY) })
    .returning();

  const create = async (values: { orgKey: string; campaignId: string | null; frameworkId: string; title: string; createdAt: Date; count: number }) => {
    const [row] = await tx
      .insert(assessments)
      .values({ orgId: org(values.orgKey), frameworkId: values.frameworkId, campaignId: values.campaignId, title: values.title, createdBy: rssi, createdAt: values.createdAt, assessableCount: values.count })
      .returning({ id: assessments.id });
    return row.id;
  };
  const close = (id: string, status: 'submitted' | 'validated', at: Date) =>
    tx
      .update(assessments)
      .set({ status, submittedAt: at, submittedBy: rssi, ...(status === 'validated' ? { validatedAt: new Date(at.getTime() + 5 * DAY), validatedBy: direction } : {}) })
      .where(eq(assessments.id, id));

  // Last year's campaign: the hospital and the psychiatric centre answered.
  const lastCampaignDone = new Date(lastYear.getTime() + 50 * DAY);
  for (const [key, level, seed] of [['ch', 1.2, 11], ['psy', 1.0, 12]] as const) {
    const id = await create({ orgKey: key, campaignId: previous.id, frameworkId: referentiel.id, title: previous.title, createdAt: lastYear, count: refMeasures.length });
    await answer(tx, id, refMeasures, 1, level, rssi, lastCampaignDone, seed);
    await close(id, 'validated', lastCampaignDone);
  }

  // This year's campaign, running.
  const started = new Date(now.getTime() - 25 * DAY);
  const ch = await create({ orgKey: 'ch', campaignId: current.id, frameworkId: referentiel.id, title: current.title, createdAt: started, count: refMeasures.length });
  await answer(tx, ch, refMeasures, 0.6, 1.8, rssi, new Date(now.getTime() - 2 * DAY), 21);
  const psy = await create({ orgKey: 'psy', campaignId: current.id, frameworkId: referentiel.id, title: current.title, createdAt: started, count: refMeasures.length });
  await answer(tx, psy, refMeasures, 1, 1.5, rssi, new Date(now.getTime() - 6 * DAY), 22);
  await close(psy, 'submitted', new Date(now.getTime() - 6 * DAY));
  const smr = await create({ orgKey: 'smr', campaignId: current.id, frameworkId: referentiel.id, title: current.title, createdAt: started, count: refMeasures.length });
  await answer(tx, smr, refMeasures, 1, 2.1, rssi, new Date(now.getTime() - 12 * DAY), 23);
  await close(smr, 'validated', new Date(now.getTime() - 12 * DAY));
  await create({ orgKey: 'ehpad', campaignId: current.id, frameworkId: referentiel.id, title: current.title, createdAt: started, count: refMeasures.length });

  // The EHPAD's express diagnostic, done last month.
  const ehpadExpress = await create({ orgKey: 'ehpad', campaignId: null, frameworkId: express.id, title: 'Diagnostic express', createdAt: new Date(now.getTime() - 40 * DAY), count: expressMeasures.length });
  await answer(tx, ehpadExpress, expressMeasures, 1, 1.1, user('rssi@ehpad-demo.fr'), new Date(now.getTime() - 38 * DAY), 31);
  await close(ehpadExpress, 'submitted', new Date(now.getTime() - 38 * DAY));

  // The hospital's remediation plan: done, under way, late, to do.
  const plan: { title: string; measure: number; status: 'todo' | 'in_progress' | 'done'; due: number; priority: 'high' | 'medium' | 'low' }[] = [
    { title: 'Faire une copie des sauvegardes hors ligne chaque semaine', measure: 23, status: 'done', due: -20, priority: 'high' },
    { title: 'Tester la restauration du dossier patient informatisé', measure: 24, status: 'in_progress', due: 10, priority: 'high' },
    { title: 'Activer la double authentification sur les accès à distance', measure: 14, status: 'todo', due: -3, priority: 'high' },
    { title: 'Rédiger les fiches réflexes papier des urgences et de la maternité', measure: 34, status: 'in_progress', due: 30, priority: 'medium' },
    { title: 'Organiser l’exercice de crise cyber annuel', measure: 35, status: 'todo', due: 90, priority: 'medium' },
    { title: 'Sensibiliser les secrétariats médicaux à l’hameçonnage', measure: 26, status: 'todo', due: 6, priority: 'low' },
  ];
  for (const item of plan) {
    const node = refMeasures[Math.min(item.measure, refMeasures.length - 1)];
    const [row] = await tx
      .insert(actions)
      .values({
        orgId: org('ch'),
        assessmentId: ch,
        title: item.title,
        ownerId: rssi,
        dueDate: isoDay(new Date(now.getTime() + item.due * DAY)),
        priority: item.priority,
        effort: 'medium',
        status: item.status,
        createdBy: rssi,
        createdAt: started,
        updatedAt: started,
        completedAt: item.status === 'done' ? new Date(now.getTime() - 21 * DAY) : null,
      })
      .returning({ id: actions.id });
    await tx.insert(actionMeasures).values({ actionId: row.id, nodeId: node.id });
  }

  // A funding programme like CaRE: prerequisites first, then objectives.
  const [programme] = await tx
    .insert(fundingProgrammes)
    .values({ orgId: org('region'), name: 'Programme régional de financement 2026 (sur le modèle de CaRE)', description: 'Versements par jalon validé par la région.' })
    .returning();
  const milestones = await tx
    .insert(fundingMilestones)
    .values([
      { programmeId: programme.id, kind: 'prerequisite' as const, code: 'P1', title: 'Un responsable de la sécurité désigné', position: 1 },
      { programmeId: programme.id, kind: 'prerequisite' as const, code: 'P2', title: 'Le diagnostic de l’année soumis', position: 2 },
      { programmeId: programme.id, kind: 'objective' as const, code: 'O1', title: 'Sauvegardes hors ligne testées', amount: '40000', position: 3 },
      { programmeId: programme.id, kind: 'objective' as const, code: 'O2', title: 'Exercice de crise cyber réalisé', amount: '25000', position: 4 },
    ])
    .returning();
  const byCode = new Map(milestones.map((m) => [m.code, m.id]));
  const declared = new Date(now.getTime() - 10 * DAY);
  await tx.insert(fundingDeclarations).values([
    { milestoneId: byCode.get('P1')!, orgId: org('ch'), status: 'validated' as const, evidence: 'Lettre de mission du RSSI', declaredBy: rssi, declaredAt: declared, reviewedBy: coord, reviewedAt: new Date(declared.getTime() + 2 * DAY) },
    { milestoneId: byCode.get('P2')!, orgId: org('ch'), status: 'declared' as const, evidence: 'Diagnostic 2026 en cours de saisie', declaredBy: rssi, declaredAt: declared },
    { milestoneId: byCode.get('P1')!, orgId: org('psy'), status: 'more_info' as const, evidence: 'Organigramme', reviewComment: 'Merci de joindre la lettre de mission.', declaredBy: rssi, declaredAt: declared, reviewedBy: coord, reviewedAt: declared },
  ]);
}
