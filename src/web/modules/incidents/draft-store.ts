import type { QueryClient } from '@tanstack/react-query';
import { declarationContentSchema, type DeclarationContent, type IncidentDetail } from '../../../contracts/incidents';
import { ApiError } from '../../lib/api';
import { createIncident, incidentKeys, incidentQuery, saveDraft } from './api';

/**
 * The local copy of what is typed in a declaration, and the autosave that sends it.
 *
 * Under attack the network drops and people reload: every keystroke is kept at once in this
 * device's localStorage (per person), and sent after a short pause. The first send starts the
 * draft on the server with an Idempotency-Key made once per declaration and kept with the
 * copy, together with the exact body sent: after a dropped network the same request is sent
 * again and answers the same draft (never a second one). Then each send saves the draft on
 * the version it started from; when someone else saved first (409) nothing is lost: the
 * person keeps theirs or takes the other. The copy is removed once the incident is declared.
 */

export interface LocalDraft {
  /** `new:<orgId>` (started here), `draft:<incidentId>` (a server draft resumed), `complete:<incidentId>`. */
  slot: string;
  orgId: string;
  idempotencyKey: string;
  /** The draft on the server, once created. */
  incidentId: string | null;
  /** The server version this copy builds on. */
  base: number | null;
  /** The body of the first POST, sent again as it is until it is answered. */
  createContent: DeclarationContent | null;
  content: DeclarationContent;
  /** When it was last typed here. */
  typedAt: string;
  /** Typed here and not yet on the server. */
  unsaved: boolean;
  /** A completion's comment (completing a declared incident). */
  comment?: string;
}

export const newSlot = (orgId: string) => `new:${orgId}`;
export const draftSlot = (incidentId: string) => `draft:${incidentId}`;
export const completeSlot = (incidentId: string) => `complete:${incidentId}`;

const storageKey = (userId: string) => `hygie.incidents.drafts.${userId}`;

function readAll(userId: string): Record<string, LocalDraft> {
  try {
    const raw = window.localStorage.getItem(storageKey(userId));
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, LocalDraft>) : {};
  } catch {
    return {};
  }
}

function writeAll(userId: string, all: Record<string, LocalDraft>) {
  try {
    if (Object.keys(all).length === 0) window.localStorage.removeItem(storageKey(userId));
    else window.localStorage.setItem(storageKey(userId), JSON.stringify(all));
  } catch {
    // Storage full or refused (private browsing): the text is still sent; only a reload would lose it.
  }
}

export function readLocal(userId: string, slot: string): LocalDraft | null {
  const draft = readAll(userId)[slot];
  return draft && typeof draft.idempotencyKey === 'string' && draft.content && typeof draft.content === 'object' ? draft : null;
}

export function writeLocal(userId: string, draft: LocalDraft) {
  writeAll(userId, { ...readAll(userId), [draft.slot]: draft });
}

export function removeLocal(userId: string, slot: string) {
  const all = readAll(userId);
  delete all[slot];
  writeAll(userId, all);
}

/** The copy of a server draft kept on this device, whichever way it was started. */
export function findLocalDraft(userId: string, incidentId: string): LocalDraft | null {
  return Object.values(readAll(userId)).find((d) => d.incidentId === incidentId && !d.slot.startsWith('complete:')) ?? null;
}

/** Forget every copy of an incident (once declared or discarded). */
export function removeLocalIncident(userId: string, incidentId: string) {
  const all = readAll(userId);
  for (const [slot, draft] of Object.entries(all)) if (draft.incidentId === incidentId && !slot.startsWith('complete:')) delete all[slot];
  writeAll(userId, all);
}

/**
 * At sign-out: forget the copies the server already has, so that a shared workstation keeps no
 * incident details. Copies not sent yet stay (deleting them would lose what was typed) and go
 * out at this person's next sign-in on this device.
 */
export function forgetSavedLocalDrafts(userId: string) {
  const all = readAll(userId);
  for (const [slot, draft] of Object.entries(all)) if (!draft.unsaved) delete all[slot];
  writeAll(userId, all);
}

export function newLocalDraft(slot: string, orgId: string, content: DeclarationContent, incident?: { id: string; version: number }): LocalDraft {
  return {
    slot,
    orgId,
    idempotencyKey: crypto.randomUUID(),
    incidentId: incident?.id ?? null,
    base: incident?.version ?? null,
    createContent: null,
    content,
    typedAt: new Date().toISOString(),
    unsaved: false,
  };
}

// --- What the server may keep ----------------------------------------------------------------

/** JSON with sorted keys, to compare two contents. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * What is typed, as the server accepts it for a draft: a half-typed e-mail address would
 * make the whole save fail, so fields not valid yet are left out of the saved copy (they
 * stay here, and are checked when declaring).
 */
export function serverSafe(content: DeclarationContent): DeclarationContent {
  const current: unknown = structuredClone(content);
  for (let i = 0; i < 10; i++) {
    const result = declarationContentSchema.safeParse(current);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      // Drop the field (an array as a whole when one of its items is wrong).
      const keys: PropertyKey[] = [];
      for (const key of issue.path) {
        if (typeof key === 'number') break;
        keys.push(key);
      }
      if (keys.length === 0) return {};
      let parent = current as Record<PropertyKey, unknown>;
      for (const key of keys.slice(0, -1)) {
        const next = parent?.[key];
        if (!next || typeof next !== 'object') break;
        parent = next as Record<PropertyKey, unknown>;
      }
      if (parent && typeof parent === 'object') delete parent[keys[keys.length - 1]];
    }
  }
  return {};
}

// --- The autosave ----------------------------------------------------------------------------

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'waiting' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: string }
  | { kind: 'offline' }
  | { kind: 'error'; message: string }
  | { kind: 'conflict'; theirs: IncidentDetail }
  /** Declared (or discarded) elsewhere meanwhile: nothing more is saved here. */
  | { kind: 'notDraft' };

export interface AutosaveSnapshot {
  content: DeclarationContent;
  state: SaveState;
  incidentId: string | null;
  version: number | null;
  unsaved: boolean;
}

export const TEXT_DELAY_MS = 800;
/** While offline, try again this often (and at once when the browser says the network is back). */
export const RETRY_MS = 10_000;

export class DeclarationAutosave {
  private draft: LocalDraft;
  private snapshot: AutosaveSnapshot;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private readonly onOnline = () => this.retry();

  constructor(
    private readonly queryClient: QueryClient,
    private readonly userId: string,
    draft: LocalDraft,
  ) {
    this.draft = draft;
    this.snapshot = { content: draft.content, state: draft.unsaved ? { kind: 'waiting' } : { kind: 'idle' }, incidentId: draft.incidentId, version: draft.base, unsaved: draft.unsaved };
  }

  /** Listens for the network; sends what was typed before a reload. */
  start() {
    window.addEventListener('online', this.onOnline);
    if (this.draft.unsaved) this.schedule(0);
  }

  stop() {
    window.removeEventListener('online', this.onOnline);
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.timer !== undefined && this.snapshot.unsaved) void this.flush();
    clearTimeout(this.timer);
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private set(patch: Partial<AutosaveSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  private persist(patch: Partial<LocalDraft>) {
    this.draft = { ...this.draft, ...patch };
    writeLocal(this.userId, this.draft);
  }

  /** The person typed: kept on this device at once, sent after `delay`. */
  change(content: DeclarationContent, delay = TEXT_DELAY_MS) {
    this.persist({ content, unsaved: true, typedAt: new Date().toISOString() });
    const frozen = this.snapshot.state.kind === 'conflict' || this.snapshot.state.kind === 'notDraft';
    this.set({ content, unsaved: true, state: frozen ? this.snapshot.state : { kind: 'waiting' } });
    if (!frozen) this.schedule(delay);
  }

  private schedule(delay: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  /** Sends what waits now; resolves once it is answered (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    if (!this.snapshot.unsaved && this.snapshot.incidentId) return Promise.resolve();
    const run = this.send().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        if (this.snapshot.unsaved && this.snapshot.state.kind === 'waiting') void this.flush();
      }
    });
    this.inFlight = run;
    return run;
  }

  private async send(): Promise<void> {
    const state = this.snapshot.state.kind;
    if (state === 'conflict' || state === 'notDraft') return;
    this.set({ state: { kind: 'saving' } });
    try {
      if (!this.draft.incidentId) {
        const createContent = this.draft.createContent ?? serverSafe(this.snapshot.content);
        if (!this.draft.createContent) this.persist({ createContent });
        const detail = await createIncident(this.draft.idempotencyKey, { orgId: this.draft.orgId, content: createContent });
        this.persist({ incidentId: detail.incident.id, base: detail.incident.version });
        this.set({ incidentId: detail.incident.id, version: detail.incident.version });
        this.queryClient.setQueryData(incidentKeys.detail(detail.incident.id), detail);
        void this.queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
        if (detail.incident.status !== 'draft') {
          this.set({ state: { kind: 'notDraft' } });
          return;
        }
        if (stableJson(serverSafe(this.snapshot.content)) === stableJson(detail.content)) {
          this.saved(detail);
          return;
        }
      }
      const sent = this.snapshot.content;
      const detail = await saveDraft(this.draft.incidentId!, { content: serverSafe(sent), version: this.draft.base ?? 1 });
      this.queryClient.setQueryData(incidentKeys.detail(detail.incident.id), detail);
      if (this.snapshot.content !== sent) {
        this.persist({ base: detail.incident.version });
        this.set({ version: detail.incident.version, state: { kind: 'waiting' } });
        this.again = true;
        return;
      }
      this.saved(detail);
    } catch (error) {
      await this.failed(error);
    }
  }

  private saved(detail: IncidentDetail) {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    this.persist({ base: detail.incident.version, unsaved: false });
    this.set({ version: detail.incident.version, unsaved: false, state: { kind: 'saved', at: detail.incident.updatedAt } });
  }

  private async failed(error: unknown) {
    if (!(error instanceof ApiError)) {
      this.set({ state: { kind: 'error', message: error instanceof Error ? error.message : String(error) } });
      return;
    }
    if (error.code === 'network') {
      this.set({ state: { kind: 'offline' } });
      this.retryTimer ??= setInterval(() => this.retry(), RETRY_MS);
      return;
    }
    if (error.status === 400 && !this.draft.incidentId) {
      // Nothing was kept under the key: the next try sends what is typed then.
      this.persist({ createContent: null });
    }
    if (error.status === 409 && this.draft.incidentId) {
      try {
        const current = await this.queryClient.fetchQuery({ ...incidentQuery(this.draft.incidentId), staleTime: 0 });
        if (current.incident.status !== 'draft') {
          this.set({ state: { kind: 'notDraft' } });
          return;
        }
        if (stableJson(current.content) === stableJson(serverSafe(this.snapshot.content))) {
          this.saved(current);
          return;
        }
        this.set({ state: { kind: 'conflict', theirs: current } });
      } catch (reloadError) {
        this.set({ state: reloadError instanceof ApiError && reloadError.code === 'network' ? { kind: 'offline' } : { kind: 'error', message: error.message } });
      }
      return;
    }
    const message = error.fields.length > 0 ? error.fields.map((field) => field.message).join(' ') : error.message;
    this.set({ state: { kind: 'error', message } });
  }

  retry() {
    const kind = this.snapshot.state.kind;
    if (kind === 'offline' || kind === 'error') {
      this.set({ state: { kind: 'waiting' } });
      void this.flush();
    }
  }

  /** After a conflict: what is typed here wins, saved over the other version. */
  keepMine() {
    if (this.snapshot.state.kind !== 'conflict') return;
    this.persist({ base: this.snapshot.state.theirs.incident.version, unsaved: true });
    this.set({ version: this.snapshot.state.theirs.incident.version, unsaved: true, state: { kind: 'waiting' } });
    void this.flush();
  }

  /** After a conflict: the other version is kept, what was typed here dropped. */
  takeTheirs() {
    if (this.snapshot.state.kind !== 'conflict') return;
    const theirs = this.snapshot.state.theirs;
    this.persist({ content: theirs.content, base: theirs.incident.version, unsaved: false });
    this.set({ content: theirs.content, version: theirs.incident.version, unsaved: false, state: { kind: 'saved', at: theirs.incident.updatedAt } });
  }

  /** A refused declaration met another version: the person chooses, as for a save. */
  conflictWith(theirs: IncidentDetail) {
    if (theirs.incident.status !== 'draft') {
      this.set({ state: { kind: 'notDraft' } });
      return;
    }
    this.set({ state: { kind: 'conflict', theirs } });
  }

  /** The state's kind, read afresh (after an await). */
  private kindNow(): SaveState['kind'] {
    return this.snapshot.state.kind;
  }

  /** Before declaring: sends what waits (trying again even after a failure); true once all is on the server. */
  async settle(): Promise<boolean> {
    for (let i = 0; i < 5; i++) {
      const kind = this.snapshot.state.kind;
      if (kind === 'conflict' || kind === 'notDraft') return false;
      if (kind === 'offline' || kind === 'error') this.set({ state: { kind: 'waiting' } });
      await this.flush();
      if (this.isSynced()) return true;
      const after = this.kindNow();
      if (after === 'offline' || after === 'error' || after === 'conflict' || after === 'notDraft') return false;
    }
    return this.isSynced();
  }

  /** Everything typed is on the server (the draft exists and nothing waits). */
  isSynced(): boolean {
    return this.snapshot.incidentId !== null && !this.snapshot.unsaved && this.snapshot.state.kind !== 'conflict';
  }

  /** Declared: the local copy has done its job. */
  clear() {
    clearTimeout(this.timer);
    clearInterval(this.retryTimer);
    removeLocal(this.userId, this.draft.slot);
    if (this.draft.incidentId) removeLocalIncident(this.userId, this.draft.incidentId);
  }
}
