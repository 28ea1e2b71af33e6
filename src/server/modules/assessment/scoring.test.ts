import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { gaps, measureScore, scoreTree, type ScoredAnswer, type TreeNode } from './scoring';

const scale = { min: 0, max: 3 };

test('a measure: maturity on the scale, else the status; n/a and unanswered do not count', () => {
  assert.equal(measureScore({ status: 'oui', maturity: 3 }, scale), 100);
  assert.ok(Math.abs(measureScore({ status: 'partiel', maturity: 1 }, scale)! - 100 / 3) < 1e-9);
  assert.equal(measureScore({ status: 'oui', maturity: null }, scale), 100);
  assert.equal(measureScore({ status: 'partiel', maturity: null }, scale), 50);
  assert.equal(measureScore({ status: 'non', maturity: null }, scale), 0);
  assert.equal(measureScore({ status: 'na', maturity: 2 }, scale), null);
  assert.equal(measureScore(undefined, scale), null);
  assert.equal(measureScore({ status: 'oui', maturity: 50 }, { min: 0, max: 100 }), 50);
});

const tree: TreeNode[] = [
  { id: 'o1', urn: 'o1', parentUrn: null, assessable: false, priority: null },
  { id: 's1', urn: 's1', parentUrn: 'o1', assessable: false, priority: null },
  { id: 'm1', urn: 'm1', parentUrn: 's1', assessable: true, priority: 'essential' },
  { id: 'm2', urn: 'm2', parentUrn: 's1', assessable: true, priority: 'recommended' },
  { id: 'o2', urn: 'o2', parentUrn: null, assessable: false, priority: null },
  { id: 'm3', urn: 'm3', parentUrn: 'o2', assessable: true, priority: 'recommended' },
];

test('groups: weighted mean, essential counts twice; progress counts n/a as answered', () => {
  const answers = new Map<string, ScoredAnswer>([
    ['m1', { status: 'oui', maturity: 3 }], // 100 ×2
    ['m2', { status: 'non', maturity: null }], // 0 ×1
    ['m3', { status: 'na', maturity: null }],
  ]);
  const { nodes, overall } = scoreTree(tree, answers, scale);
  const s1 = nodes.find((n) => n.nodeId === 's1')!;
  assert.equal(s1.score, 200 / 3);
  assert.deepEqual([s1.answered, s1.total], [2, 2]);
  const o2 = nodes.find((n) => n.nodeId === 'o2')!;
  assert.equal(o2.score, null, 'only n/a below: no score');
  assert.deepEqual([o2.answered, o2.total], [1, 1]);
  assert.equal(overall.score, 200 / 3);
  assert.deepEqual([overall.answered, overall.total], [3, 3]);
});

test('gap list: essential first, then the lowest', () => {
  const answers = new Map<string, ScoredAnswer>([
    ['m1', { status: 'partiel', maturity: 2 }],
    ['m2', { status: 'non', maturity: null }],
    ['m3', { status: 'oui', maturity: 3 }],
  ]);
  assert.deepEqual(gaps(tree, answers, scale).map((g) => g.nodeId), ['m1', 'm2']);
});

test('property: every score stays within 0-100, and the whole lies between its groups', () => {
  const answer = fc.record({
    status: fc.constantFrom('non', 'partiel', 'oui', 'na', null),
    maturity: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  }) as fc.Arbitrary<ScoredAnswer>;
  fc.assert(
    fc.property(fc.tuple(answer, answer, answer), ([a1, a2, a3]) => {
      const { nodes, overall } = scoreTree(tree, new Map([['m1', a1], ['m2', a2], ['m3', a3]]), scale);
      const scored = [...nodes.map((n) => n.score), overall.score].filter((s): s is number => s !== null);
      for (const s of scored) assert.ok(s >= 0 && s <= 100);
      const groups = nodes.filter((n) => ['o1', 'o2'].includes(n.nodeId) && n.score !== null).map((n) => n.score!);
      if (overall.score !== null && groups.length) {
        assert.ok(overall.score >= Math.min(...groups) - 1e-9 && overall.score <= Math.max(...groups) + 1e-9);
      }
    }),
  );
});
