import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSafe, stableJson } from './draft-store';

test('a half-typed field is left out of the saved copy, the rest kept', () => {
  const content = {
    title: '  Rançongiciel  ',
    declarant: { name: 'Jeanne', email: 'jeanne@' },
    systems: ['servers', 'nope'] as unknown as ['servers'],
    discoveredAt: '2026-03-02T09:00',
    impacts: { personalData: true },
  };
  assert.deepEqual(serverSafe(content), { title: 'Rançongiciel', declarant: { name: 'Jeanne' }, impacts: { personalData: true } });
  // The person's own copy is untouched.
  assert.equal(content.declarant.email, 'jeanne@');
});

test('a valid content goes as the server keeps it', () => {
  const content = { title: 'Panne', perimeter: { wholeEstablishment: true }, type: 'failure' as const };
  assert.deepEqual(serverSafe(content), content);
});

test('contents compare whatever the order of their keys', () => {
  assert.equal(stableJson({ a: 1, b: { d: [1, 2], c: 'x' } }), stableJson({ b: { c: 'x', d: [1, 2] }, a: 1 }));
  assert.notEqual(stableJson({ a: [1, 2] }), stableJson({ a: [2, 1] }));
});
