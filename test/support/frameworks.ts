import { randomBytes } from 'node:crypto';
import { frameworkNodes, frameworks } from '../../src/server/modules/assessment/schema';
import type { Db } from '../../src/server/platform/db/client';

/** Ids of a small framework's nodes, by key. */
export interface SmallFramework {
  id: string;
  name: string;
  nodes: Record<'o1' | 's1' | 'm1' | 'm2' | 'm3' | 'o2' | 'm4', string>;
  /** the unique-choice question of m1 */
  question: { urn: string; yes: string; no: string };
}

const SPEC = [
  { key: 'o1', parent: null, depth: 1, assessable: false, priority: null, name: 'Gouvernance' },
  { key: 's1', parent: 'o1', depth: 2, assessable: false, priority: null, name: 'Nœud s1' },
  { key: 'm1', parent: 's1', depth: 3, assessable: true, priority: 'essential', name: 'Nœud m1' },
  { key: 'm2', parent: 's1', depth: 3, assessable: true, priority: 'essential', name: 'Nœud m2' },
  { key: 'm3', parent: 's1', depth: 3, assessable: true, priority: 'recommended', name: 'Nœud m3' },
  { key: 'o2', parent: null, depth: 1, assessable: false, priority: null, name: 'Gestion des incidents' },
  { key: 'm4', parent: 'o2', depth: 2, assessable: true, priority: 'recommended', name: 'Nœud m4' },
] as const;

/**
 * A small framework written directly in the database, on the 0-3 scale:
 * O1 « Gouvernance » → S1 → M1, M2 (essential, M1 with a question), M3 (recommended);
 * O2 « Gestion des incidents » → M4 (recommended).
 */
export async function insertSmallFramework(db: Db, label: string): Promise<SmallFramework> {
  const base = `urn:test:${label}-${randomBytes(4).toString('hex')}`;
  const name = `Référentiel ${label}`;
  const [fw] = await db
    .insert(frameworks)
    .values({ libraryUrn: `${base}:library`, urn: `${base}:framework`, refId: label, name, version: 1, origin: 'import', kind: 'other', minScore: 0, maxScore: 3 })
    .returning({ id: frameworks.id });
  const question = { urn: `${base}:m1:q1`, yes: `${base}:m1:q1:yes`, no: `${base}:m1:q1:no` };
  const nodes = {} as SmallFramework['nodes'];
  for (const [position, n] of SPEC.entries()) {
    const [row] = await db
      .insert(frameworkNodes)
      .values({
        frameworkId: fw.id,
        urn: `${base}:${n.key}`,
        parentUrn: n.parent ? `${base}:${n.parent}` : null,
        refId: n.key.toUpperCase(),
        name: n.name,
        depth: n.depth,
        assessable: n.assessable,
        position,
        priority: n.priority,
        questions:
          n.key === 'm1'
            ? [{ urn: question.urn, type: 'unique_choice', text: 'Les sauvegardes sont-elles testées ?', choices: [{ urn: question.yes, value: 'Oui' }, { urn: question.no, value: 'Non' }] }]
            : null,
      })
      .returning({ id: frameworkNodes.id });
    nodes[n.key] = row.id;
  }
  return { id: fw.id, name, nodes, question };
}
