import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Me } from '../../../contracts/identity';
import { canDeclare, canFollow, countdownParts, countdownText, countdownTone, fromParisInputs, normaliseFieldPaths, obligationState, seesIncidents, toParisInputs } from './model';

const HOUR = 3_600_000;

describe('countdowns', () => {
  const due = '2026-03-03T12:00:00.000Z';
  const at = (ms: number) => new Date(due).getTime() - ms;

  test('hours and minutes below two days, rounded down while time is left', () => {
    const parts = countdownParts(due, at(5 * HOUR + 12 * 60_000 + 30_000));
    assert.deepEqual(countdownText(parts), { key: 'leftHours', values: { days: '0', hours: '5', minutes: '12' } });
    assert.equal(countdownTone(parts), 'warning');
    assert.equal(countdownTone(countdownParts(due, at(23 * HOUR))), 'info');
  });

  test('days and hours from two days', () => {
    assert.deepEqual(countdownText(countdownParts(due, at(71 * HOUR + 59 * 60_000))), { key: 'leftDays', values: { days: '2', hours: '23', minutes: '59' } });
  });

  test('late: rounded up, in red', () => {
    const parts = countdownParts(due, at(-(2 * HOUR + 30_000)));
    assert.equal(parts.late, true);
    assert.deepEqual(countdownText(parts), { key: 'lateHours', values: { days: '0', hours: '2', minutes: '01' } });
    assert.equal(countdownTone(parts), 'danger');
    assert.deepEqual(countdownText(countdownParts(due, at(-40 * 60_000))).key, 'lateMinutes');
  });

  test('an obligation past its deadline reads « En retard » until done', () => {
    const now = new Date(due).getTime() + 1;
    assert.deepEqual(obligationState({ status: 'pending', dueAt: due }, now), { key: 'late', tone: 'danger' });
    assert.deepEqual(obligationState({ status: 'pending', dueAt: due }, now - 2), { key: 'pending', tone: 'warning' });
    assert.deepEqual(obligationState({ status: 'done', dueAt: due }, now), { key: 'done', tone: 'success' });
  });
});

describe('Paris time in date and time inputs', () => {
  test('winter (UTC+1) and summer (UTC+2)', () => {
    assert.equal(fromParisInputs('2026-01-15', '14:05'), '2026-01-15T13:05:00.000Z');
    assert.equal(fromParisInputs('2026-07-15', '14:05'), '2026-07-15T12:05:00.000Z');
    assert.deepEqual(toParisInputs('2026-07-15T12:05:00.000Z'), { date: '2026-07-15', time: '14:05' });
    assert.deepEqual(toParisInputs('2026-12-31T23:30:00.000Z'), { date: '2027-01-01', time: '00:30' });
  });

  test('around the change of time', () => {
    // 29 March 2026: 02:00 → 03:00 in Paris.
    assert.equal(fromParisInputs('2026-03-29', '01:30'), '2026-03-29T00:30:00.000Z');
    assert.equal(fromParisInputs('2026-03-29', '03:30'), '2026-03-29T01:30:00.000Z');
    for (const iso of ['2026-03-29T00:59:00.000Z', '2026-03-29T01:00:00.000Z', '2026-10-25T02:00:00.000Z']) {
      const { date, time } = toParisInputs(iso);
      assert.equal(fromParisInputs(date, time) !== null, true);
    }
  });

  test('incomplete or invalid inputs give nothing', () => {
    assert.equal(fromParisInputs('', '14:05'), null);
    assert.equal(fromParisInputs('2026-01-15', ''), null);
    assert.equal(fromParisInputs('15/01/2026', '14:05'), null);
    assert.deepEqual(toParisInputs(undefined), { date: '', time: '' });
    assert.deepEqual(toParisInputs('not a date'), { date: '', time: '' });
  });
});

describe('who sees what', () => {
  const me = (role: Me['memberships'][number]['role'] | null): Me => ({
    user: { id: '00000000-0000-4000-8000-000000000001', email: 'a@b.fr', displayName: 'A', locale: 'fr', platformAdmin: false, mfaEnabled: true, mfaCompulsory: true },
    memberships: role ? [{ orgId: '00000000-0000-4000-8000-000000000002', orgName: 'CH', orgKind: 'establishment', role }] : [],
    activeOrgId: role ? '00000000-0000-4000-8000-000000000002' : null,
    demo: false,
  });

  test('RSSI declares and follows; the region reads; an agent sees nothing', () => {
    assert.deepEqual([seesIncidents(me('rssi')), canDeclare(me('rssi')), canFollow(me('rssi'))], [true, true, true]);
    assert.deepEqual([seesIncidents(me('coord_region')), canDeclare(me('coord_region'))], [true, false]);
    assert.deepEqual([seesIncidents(me('agent')), canDeclare(me('agent'))], [false, false]);
    assert.equal(seesIncidents(me(null)), false);
  });
});

test('error paths deeper than a field land on that field', () => {
  assert.deepEqual(normaliseFieldPaths({ 'content.perimeter.orgIds.0': 'a', 'content.systems.2': 'b', 'content.title': 'c', other: 'd' }), {
    'content.perimeter': 'a',
    'content.systems': 'b',
    'content.title': 'c',
    other: 'd',
  });
});
