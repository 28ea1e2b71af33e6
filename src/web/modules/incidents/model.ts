import { INCIDENT_ROLES, type IncidentStatus, type Obligation } from '../../../contracts/incidents';
import type { Me } from '../../../contracts/identity';
import type { Membership, Role } from '../../../contracts/tenancy';
import type { Tone } from '../../ui';

/**
 * Who sees and does what on the incidents pages. The server's policy decides; the pages only
 * hide what it would refuse. Roles are those held in the active organisation (they apply to
 * the organisations below it).
 */
const activeMembership = (me: Me): Membership | undefined => me.memberships.find((m) => m.orgId === me.activeOrgId);
const has = (me: Me, roles: readonly Role[]) => {
  const role = activeMembership(me)?.role;
  return role !== undefined && roles.includes(role);
};

/** Sees the « Incidents » group: RSSI, direction, GHT and regional coordinators. */
export const seesIncidents = (me: Me) => has(me, INCIDENT_ROLES.read);
/** May declare and complete declarations (RSSI, direction, GHT coordinator). */
export const canDeclare = (me: Me) => has(me, INCIDENT_ROLES.declare);
/** May record obligations as done and close incidents. */
export const canFollow = (me: Me) => has(me, INCIDENT_ROLES.follow);
/** May read and change the establishment's NIS2 status. */
export const canManageNis2 = (me: Me) => has(me, INCIDENT_ROLES.nis2);

/** The active organisation is an establishment: incidents are declared for it directly. */
export const activeEstablishmentId = (me: Me): string | null => {
  const membership = activeMembership(me);
  return membership?.orgKind === 'establishment' ? membership.orgId : null;
};

export const STATUS_TONES: Record<IncidentStatus, Tone> = { draft: 'neutral', declared: 'warning', closed: 'success' };

// --- Countdowns ------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Less than this left: the deadline is close (a quarter of a 24 h clock). */
export const SOON_MS = 6 * HOUR;

export interface CountdownParts {
  late: boolean;
  days: number;
  hours: number;
  minutes: number;
  /** Milliseconds left (negative when late). */
  left: number;
}

/** Time left until `dueAt` (or past it), in days, hours and minutes. */
export function countdownParts(dueAt: string, now: number): CountdownParts {
  const left = new Date(dueAt).getTime() - now;
  const abs = Math.abs(left);
  // Rounded down while time is left (never promise a minute that is not there), up once late.
  const totalMinutes = left >= 0 ? Math.floor(abs / MINUTE) : Math.ceil(abs / MINUTE);
  return { late: left < 0, left, days: Math.floor(totalMinutes / (24 * 60)), hours: Math.floor((totalMinutes % (24 * 60)) / 60), minutes: totalMinutes % 60 };
}

export type CountdownKey = 'leftDays' | 'leftHours' | 'leftMinutes' | 'lateDays' | 'lateHours' | 'lateMinutes';

/** Which sentence says it, with its numbers: days and hours beyond two days, hours and minutes below. */
export function countdownText(parts: CountdownParts): { key: CountdownKey; values: { days: string; hours: string; minutes: string } } {
  const totalHours = parts.days * 24 + parts.hours;
  const prefix = parts.late ? 'late' : 'left';
  const values = { days: String(parts.days), hours: String(totalHours >= 48 ? parts.hours : totalHours), minutes: String(parts.minutes).padStart(2, '0') };
  if (totalHours >= 48) return { key: `${prefix}Days`, values };
  if (totalHours >= 1) return { key: `${prefix}Hours`, values };
  return { key: `${prefix}Minutes`, values: { ...values, minutes: String(parts.minutes) } };
}

export function countdownTone(parts: CountdownParts): Tone {
  if (parts.late) return 'danger';
  if (parts.left < SOON_MS) return 'warning';
  return 'info';
}

/** An obligation's state in words: « En retard » wins over « À faire » once the deadline has passed. */
export function obligationState(obligation: Pick<Obligation, 'status' | 'dueAt'>, now: number): { key: 'pending' | 'done' | 'not_applicable' | 'late'; tone: Tone } {
  if (obligation.status === 'done') return { key: 'done', tone: 'success' };
  if (obligation.status === 'not_applicable') return { key: 'not_applicable', tone: 'neutral' };
  if (new Date(obligation.dueAt).getTime() < now) return { key: 'late', tone: 'danger' };
  return { key: 'pending', tone: 'warning' };
}

// --- Paris time in date and time inputs ------------------------------------------------------

const TZ = 'Europe/Paris';
const PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function parisFields(date: Date) {
  const get = (type: string) => Number(PARTS.formatToParts(date).find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** An instant as the values of a date input and a time input, in Paris. */
export function toParisInputs(iso: string | undefined | null): { date: string; time: string } {
  if (!iso) return { date: '', time: '' };
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { date: '', time: '' };
  const f = parisFields(date);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date: `${f.year}-${pad(f.month)}-${pad(f.day)}`, time: `${pad(f.hour)}:${pad(f.minute)}` };
}

/** A date (AAAA-MM-JJ) and a time (HH:MM) read in Paris, as an instant; null when incomplete. */
export function fromParisInputs(date: string, time: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const h = /^(\d{2}):(\d{2})/.exec(time);
  if (!d || !h) return null;
  const [year, month, day, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(h[1]), Number(h[2])];
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  if (Number.isNaN(wanted)) return null;
  // Paris is UTC+1 or UTC+2: correct the guess by the offset seen at that instant (twice, around a change of time).
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const f = parisFields(new Date(guess));
    const seen = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute);
    guess += wanted - seen;
  }
  return new Date(guess).toISOString();
}

/** Now, to the minute. */
export const nowToMinute = (now = Date.now()) => new Date(Math.floor(now / MINUTE) * MINUTE).toISOString();

// --- The form's fields -----------------------------------------------------------------------

/**
 * Path of each field in the API's errors → id of its control, in the order of the form (the
 * error summary lists them in this order). A group of choices points at its first choice.
 */
export const FIELD_IDS: Record<string, string> = {
  orgId: 'incident-org',
  'content.declarant.name': 'incident-declarant-name',
  'content.declarant.jobTitle': 'incident-declarant-job',
  'content.declarant.phone': 'incident-declarant-phone',
  'content.declarant.email': 'incident-declarant-email',
  'content.title': 'incident-title',
  'content.description': 'incident-description',
  'content.discoveredAt': 'incident-discovered-date',
  'content.startedAt': 'incident-started-date',
  'content.perimeter': 'incident-perimeter-whole',
  'content.perimeter.details': 'incident-perimeter-details',
  'content.systems': 'incident-system-patient_record',
  'content.systemsDetails': 'incident-systems-details',
  'content.data': 'incident-data-health',
  'content.dataDetails': 'incident-data-details',
  'content.handling': 'incident-handling-analysis',
  'content.handlingDetails': 'incident-handling-details',
  'content.impacts.careDetails': 'incident-care-details',
  'content.impacts.systemsDetails': 'incident-impact-systems-details',
  'content.impacts.operationsDetails': 'incident-operations-details',
  'content.causes': 'incident-causes',
  'content.origin': 'incident-origin-malicious',
  'content.type': 'incident-type-ransomware',
  'content.supportDetails': 'incident-support-details',
  comment: 'incident-comment',
};

/** Errors whose path is deeper than a known field (content.perimeter.orgIds.0) are shown on that field. */
export function normaliseFieldPaths(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    let p = path;
    while (!(p in FIELD_IDS) && p.includes('.')) p = p.slice(0, p.lastIndexOf('.'));
    out[p in FIELD_IDS ? p : path] ??= message;
  }
  return out;
}
