import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetSavedLocalDrafts, newLocalDraft, readLocal, serverSafe, stableJson, writeLocal } from './draft-store';

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

test('signing out forgets the copies the server already has and keeps those not sent yet', () => {
  const store = new Map<string, string>();
  const localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
  Object.assign(globalThis, { window: { localStorage } });
  try {
    const sent = { ...newLocalDraft('draft:a', 'org', { title: 'Envoyé' }, { id: 'a', version: 2 }), unsaved: false };
    const pending = { ...newLocalDraft('new:org', 'org', { title: 'Pas encore envoyé' }), unsaved: true };
    writeLocal('u1', sent);
    writeLocal('u1', pending);
    writeLocal('u2', { ...sent });
    forgetSavedLocalDrafts('u1');
    assert.equal(readLocal('u1', 'draft:a'), null);
    assert.equal(readLocal('u1', 'new:org')?.content.title, 'Pas encore envoyé');
    assert.equal(readLocal('u2', 'draft:a')?.content.title, 'Envoyé', 'another person’s copies are not touched');
  } finally {
    delete (globalThis as { window?: unknown }).window;
  }
});
