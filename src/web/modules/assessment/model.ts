import { ASSESSMENT_ROLES, type Answer, type AssessmentSummary, type FrameworkDetail, type FrameworkNode, type RemediationAction, type Score } from '../../../contracts/assessment';
import type { Me } from '../../../contracts/identity';
import type { Role } from '../../../contracts/tenancy';
import type { Tone } from '../../ui';

/** One node of a framework with the nodes below it, in the framework's order. */
export interface TreeItem {
  node: FrameworkNode;
  children: TreeItem[];
}

/**
 * The framework as sections: each top-level group (an objective) with what is below it.
 * Measures placed at the top level, with no objective, are gathered in one section whose
 * node is null.
 */
export interface Section {
  node: FrameworkNode | null;
  children: TreeItem[];
}

export function buildTree(nodes: FrameworkNode[]): TreeItem[] {
  const items = new Map(nodes.map((node) => [node.urn, { node, children: [] as TreeItem[] }]));
  const roots: TreeItem[] = [];
  for (const node of nodes) {
    const item = items.get(node.urn)!;
    const parent = node.parentUrn ? items.get(node.parentUrn) : undefined;
    if (parent) parent.children.push(item);
    else roots.push(item);
  }
  return roots;
}

export function buildSections(nodes: FrameworkNode[]): Section[] {
  const roots = buildTree(nodes);
  const sections: Section[] = [];
  let loose: Section | null = null;
  for (const root of roots) {
    if (root.node.assessable) {
      if (!loose) sections.push((loose = { node: null, children: [] }));
      loose.children.push(root);
    } else {
      sections.push({ node: root.node, children: root.children });
    }
  }
  return sections;
}

export function measuresOf(items: TreeItem[]): FrameworkNode[] {
  return items.flatMap((item) => (item.node.assessable ? [item.node, ...measuresOf(item.children)] : measuresOf(item.children)));
}

/** The objectives: the top-level groups, as the radar chart shows them. */
export const objectivesOf = (framework: FrameworkDetail) => framework.nodes.filter((node) => !node.assessable && node.parentUrn === null);

/** « GOUV.1 — Pilotage », or the name alone, or the description's start when there is no name. */
export function nodeLabel(node: Pick<FrameworkNode, 'refId' | 'name' | 'description'>): string {
  const name = node.name ?? (node.description ? truncate(node.description, 90) : '');
  if (node.refId && name) return `${node.refId} — ${name}`;
  return node.refId ?? name;
}

/** The name without the reference, for charts where room is short. */
export const nodeShortLabel = (node: Pick<FrameworkNode, 'refId' | 'name' | 'description'>) => node.name ?? node.refId ?? truncate(node.description ?? '', 40);

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

export const roundScore = (score: number | null | undefined) => (score === null || score === undefined ? null : Math.round(score));

/** Score levels in words and colour: never the colour alone. */
export function scoreTone(score: number | null): { tone: Tone; key: 'none' | 'low' | 'medium' | 'good' } {
  if (score === null) return { tone: 'neutral', key: 'none' };
  if (score >= 80) return { tone: 'success', key: 'good' };
  if (score >= 50) return { tone: 'warning', key: 'medium' };
  return { tone: 'danger', key: 'low' };
}

export const STATUS_TONES: Record<AssessmentSummary['status'], Tone> = { draft: 'info', submitted: 'warning', validated: 'success' };

export const ACTION_TONES: Record<RemediationAction['status'], Tone> = { todo: 'neutral', in_progress: 'info', done: 'success', cancelled: 'neutral' };
export const PRIORITY_TONES: Record<RemediationAction['priority'], Tone> = { high: 'danger', medium: 'warning', low: 'neutral' };

export const percent = (part: number, total: number) => (total > 0 ? Math.round((part / total) * 100) : 0);

export const scoresById = (scores: Score[]) => new Map(scores.map((score) => [score.nodeId, score]));
export const answersById = (answers: Answer[]) => new Map(answers.map((answer) => [answer.nodeId, answer]));

// --- Who may do what (the server decides; the page only hides what would be refused) -------

const { edit: EDIT, submit: SUBMIT, validate: VALIDATE, plan: PLAN } = ASSESSMENT_ROLES;
/** Roles that see the « Diagnostic » pages at all. */
export const DIAGNOSTIC_ROLES: readonly Role[] = ASSESSMENT_ROLES.read;

/** The roles the person holds over an establishment: there, or in the active organisation above it. */
export function rolesOver(me: Me, orgId: string): Role[] {
  const roles = me.memberships.filter((m) => m.orgId === orgId).map((m) => m.role);
  const active = me.memberships.find((m) => m.orgId === me.activeOrgId);
  if (active && active.orgId !== orgId && (active.orgKind === 'ght' || active.orgKind === 'region')) roles.push(active.role);
  return roles;
}

export function rightsOver(me: Me, orgId: string) {
  const roles = rolesOver(me, orgId);
  const any = (list: readonly Role[]) => roles.some((role) => list.includes(role));
  return { edit: any(EDIT), submit: any(SUBMIT), validate: any(VALIDATE), plan: any(PLAN) };
}

/** May see the Diagnostic pages: the roles above, or a platform administrator (frameworks). */
export function seesDiagnostic(me: Me): boolean {
  const role = me.memberships.find((m) => m.orgId === me.activeOrgId)?.role;
  return me.user.platformAdmin || (role !== undefined && DIAGNOSTIC_ROLES.includes(role));
}

/** May import a framework: platform administrators and regional coordinators. */
export const mayImport = (me: Me) => me.user.platformAdmin || me.memberships.some((m) => m.role === 'coord_region');

/** Today's date in Paris, as AAAA-MM-JJ. */
export function todayInParis(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
