/**
 * How Hygie scores an assessment — the same text is shown in the UI's help:
 *
 * - A measure scores from 0 to 100. With a maturity level, the score is the level's place
 *   on the framework's scale: (level − min) / (max − min) × 100 (on 0-3: 0, 33, 67, 100).
 *   Without a level: « oui » 100, « partiel » 50, « non » 0.
 * - « Non applicable » measures and unanswered ones do not count.
 * - A group (sub-objective, objective, the whole framework) scores the weighted mean of
 *   the measures below it: an essential measure counts twice, a recommended one once.
 */
export type AnswerStatus = 'non' | 'partiel' | 'oui' | 'na';

export interface ScoredAnswer {
  status: AnswerStatus | null;
  maturity: number | null;
}

export interface Scale {
  min: number;
  max: number;
}

export const STATUS_SCORE: Record<Exclude<AnswerStatus, 'na'>, number> = { oui: 100, partiel: 50, non: 0 };

export function measureScore(answer: ScoredAnswer | undefined, scale: Scale): number | null {
  if (!answer?.status || answer.status === 'na') return null;
  if (answer.maturity !== null && answer.maturity !== undefined && scale.max > scale.min) {
    const level = Math.min(scale.max, Math.max(scale.min, answer.maturity));
    return ((level - scale.min) / (scale.max - scale.min)) * 100;
  }
  return STATUS_SCORE[answer.status];
}

export const weightOf = (priority: 'essential' | 'recommended' | null | undefined) => (priority === 'essential' ? 2 : 1);

export interface TreeNode {
  id: string;
  urn: string;
  parentUrn: string | null;
  assessable: boolean;
  priority: 'essential' | 'recommended' | null;
}

export interface NodeScore {
  nodeId: string;
  /** null while nothing applicable below is answered */
  score: number | null;
  /** measures answered below (n/a included: it is an answer) */
  answered: number;
  /** assessable measures below */
  total: number;
}

/**
 * Scores of every non-assessable node and of the whole (key `null`), from the answers by
 * node id. Linear in the number of nodes.
 */
export function scoreTree(nodes: TreeNode[], answers: Map<string, ScoredAnswer>, scale: Scale): { nodes: NodeScore[]; overall: NodeScore } {
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const acc = new Map<string | null, { sum: number; weight: number; answered: number; total: number }>();
  const bucket = (key: string | null) => {
    let b = acc.get(key);
    if (!b) acc.set(key, (b = { sum: 0, weight: 0, answered: 0, total: 0 }));
    return b;
  };
  for (const node of nodes) {
    if (!node.assessable) {
      bucket(node.id);
      continue;
    }
    const answer = answers.get(node.id);
    const score = measureScore(answer, scale);
    const weight = weightOf(node.priority);
    // Walk up the ancestors (and the whole), adding this measure to each.
    const chain: (string | null)[] = [null];
    for (let parent = node.parentUrn ? byUrn.get(node.parentUrn) : undefined; parent; parent = parent.parentUrn ? byUrn.get(parent.parentUrn) : undefined) {
      chain.push(parent.id);
    }
    for (const key of chain) {
      const b = bucket(key);
      b.total++;
      if (answer?.status) b.answered++;
      if (score !== null) {
        b.sum += score * weight;
        b.weight += weight;
      }
    }
  }
  const toScore = (key: string | null): NodeScore => {
    const b = bucket(key);
    return { nodeId: key ?? '', score: b.weight > 0 ? b.sum / b.weight : null, answered: b.answered, total: b.total };
  };
  return { nodes: nodes.filter((n) => !n.assessable).map((n) => toScore(n.id)), overall: toScore(null) };
}

export interface Gap {
  nodeId: string;
  score: number;
  priority: 'essential' | 'recommended' | null;
}

/** The gap list: applicable measures below 100, essential first, then the lowest scores. */
export function gaps(nodes: TreeNode[], answers: Map<string, ScoredAnswer>, scale: Scale): Gap[] {
  return nodes
    .filter((n) => n.assessable)
    .map((n) => ({ nodeId: n.id, score: measureScore(answers.get(n.id), scale), priority: n.priority }))
    .filter((g): g is Gap => g.score !== null && g.score < 100)
    .sort((a, b) => weightOf(b.priority) - weightOf(a.priority) || a.score - b.score);
}
