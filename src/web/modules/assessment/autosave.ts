import type { QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Answer, AssessmentDetail, saveAnswerResponseSchema } from '../../../contracts/assessment';
import { ApiError } from '../../lib/api';
import { assessmentQuery, saveAnswer } from './api';

/**
 * Autosave of the answers, one measure at a time.
 *
 * Each measure has a saver: what the person typed (kept in sessionStorage until the server
 * has it, so that a reload or a dropped network loses nothing), the version it started
 * from, and where saving stands. Text waits ~800 ms after the last key; choices are sent
 * at once. One request at a time per measure; what is typed meanwhile goes in the next.
 * When someone else saved first (409), both versions are kept and the person chooses.
 * The savers live with the page, not with the cards: folding a section does not stop them.
 */

export type AnswerStatus = NonNullable<Answer['status']>;

export interface MeasureValues {
  status: AnswerStatus | null;
  maturity: number | null;
  comment: string;
  questionAnswers: Record<string, string[]>;
}

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'waiting' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: string }
  | { kind: 'offline' }
  | { kind: 'error'; message: string }
  | { kind: 'conflict'; theirs: Answer }
  | { kind: 'locked' };

export interface MeasureSnapshot {
  values: MeasureValues;
  state: SaveState;
  /** typed here and not yet on the server */
  unsaved: boolean;
  /** the last saved answer's author and time */
  updatedAt: string | null;
  updatedByName: string | null;
  version: number;
}

type SaveResponse = z.output<typeof saveAnswerResponseSchema>;

export const TEXT_DELAY_MS = 800;

const EMPTY: MeasureValues = { status: null, maturity: null, comment: '', questionAnswers: {} };

export const valuesOf = (answer: Answer | undefined | null): MeasureValues =>
  answer ? { status: answer.status, maturity: answer.maturity, comment: answer.comment ?? '', questionAnswers: answer.questionAnswers } : EMPTY;

function sameValues(a: MeasureValues, b: MeasureValues): boolean {
  const answers = (values: MeasureValues) =>
    JSON.stringify(
      Object.entries(values.questionAnswers)
        .filter(([, given]) => given.length > 0)
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  return a.status === b.status && a.maturity === b.maturity && a.comment.trim() === b.comment.trim() && answers(a) === answers(b);
}

interface Stored {
  base: number;
  values: MeasureValues;
}

function storageKey(assessmentId: string, nodeId: string) {
  return `hygie.diagnostic.${assessmentId}.${nodeId}`;
}

function readStored(key: string): Stored | null {
  try {
    const raw = window.sessionStorage.getItem(key);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Stored;
    return typeof parsed?.base === 'number' && parsed.values ? parsed : null;
  } catch {
    return null;
  }
}

function writeStored(key: string, stored: Stored | null) {
  try {
    if (stored) window.sessionStorage.setItem(key, JSON.stringify(stored));
    else window.sessionStorage.removeItem(key);
  } catch {
    // Storage full or refused (private browsing): the answer is still sent; only a reload would lose it.
  }
}

export class MeasureSaver {
  private snapshot: MeasureSnapshot;
  private base: number;
  private readonly key: string;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private again = false;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly assessmentId: string,
    private readonly nodeId: string,
    answer: Answer | undefined,
  ) {
    this.key = storageKey(assessmentId, nodeId);
    const stored = readStored(this.key);
    this.base = stored?.base ?? answer?.version ?? 0;
    this.snapshot = {
      values: stored?.values ?? valuesOf(answer),
      state: stored ? { kind: 'waiting' } : { kind: 'idle' },
      unsaved: stored !== null,
      updatedAt: answer?.updatedAt ?? null,
      updatedByName: answer?.updatedByName ?? null,
      version: answer?.version ?? 0,
    };
    // Something typed before a reload or while offline: send it now (a 409 shows the choice).
    if (stored) this.schedule(0);
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private set(patch: Partial<MeasureSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  /** The person changed something: kept at once on this device, sent after `delay`. */
  change(patch: Partial<MeasureValues>, delay: number) {
    const values = { ...this.snapshot.values, ...patch };
    writeStored(this.key, { base: this.base, values });
    const keepConflict = this.snapshot.state.kind === 'conflict' || this.snapshot.state.kind === 'locked';
    this.set({ values, unsaved: true, state: keepConflict ? this.snapshot.state : { kind: 'waiting' } });
    if (!keepConflict) this.schedule(delay);
  }

  private schedule(delay: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delay);
  }

  /** Sends what is waiting now (also: on retry, when the network is back, when leaving the page). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.snapshot.unsaved) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const sent = this.snapshot.values;
    this.inFlight = true;
    this.set({ state: { kind: 'saving' } });
    try {
      const result = await saveAnswer(this.assessmentId, this.nodeId, {
        version: this.base,
        status: sent.status,
        maturity: sent.maturity,
        comment: sent.comment.trim() === '' ? null : sent.comment,
        questionAnswers: sent.questionAnswers,
      });
      this.base = result.answer.version;
      this.updateCache(result);
      const changedMeanwhile = this.snapshot.values !== sent;
      writeStored(this.key, changedMeanwhile ? { base: this.base, values: this.snapshot.values } : null);
      this.set({
        unsaved: changedMeanwhile,
        state: changedMeanwhile ? { kind: 'waiting' } : { kind: 'saved', at: result.answer.updatedAt },
        updatedAt: result.answer.updatedAt,
        updatedByName: result.answer.updatedByName,
        version: result.answer.version,
      });
      if (changedMeanwhile) this.again = true;
    } catch (error) {
      this.again = false;
      await this.failed(error);
    } finally {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        void this.flush();
      }
    }
  }

  private async failed(error: unknown) {
    if (!(error instanceof ApiError)) {
      this.set({ state: { kind: 'error', message: error instanceof Error ? error.message : String(error) } });
      return;
    }
    if (error.code === 'network') {
      this.set({ state: { kind: 'offline' } });
      return;
    }
    if (error.status === 409) {
      // Either someone saved this measure first, or the assessment left the draft state.
      try {
        const detail = await this.queryClient.fetchQuery({ ...assessmentQuery(this.assessmentId), staleTime: 0 });
        if (detail.assessment.status !== 'draft') {
          this.set({ state: { kind: 'locked' } });
          return;
        }
        const theirs = detail.answers.find((answer) => answer.nodeId === this.nodeId);
        if (!theirs || theirs.version === this.base) {
          this.set({ state: { kind: 'error', message: error.message } });
          return;
        }
        // Already saved as it is here (a request that landed just before a reload): nothing to choose.
        if (sameValues(valuesOf(theirs), this.snapshot.values)) {
          this.base = theirs.version;
          writeStored(this.key, null);
          this.set({ unsaved: false, state: { kind: 'saved', at: theirs.updatedAt }, updatedAt: theirs.updatedAt, updatedByName: theirs.updatedByName, version: theirs.version });
          return;
        }
        this.set({ state: { kind: 'conflict', theirs } });
      } catch (reloadError) {
        this.set({ state: reloadError instanceof ApiError && reloadError.code === 'network' ? { kind: 'offline' } : { kind: 'error', message: error.message } });
      }
      return;
    }
    const message = error.fields.length > 0 ? error.fields.map((field) => field.message).join(' ') : error.message;
    this.set({ state: { kind: 'error', message } });
  }

  /** After a conflict: my version wins, saved over theirs. */
  keepMine() {
    if (this.snapshot.state.kind !== 'conflict') return;
    this.base = this.snapshot.state.theirs.version;
    writeStored(this.key, { base: this.base, values: this.snapshot.values });
    this.set({ state: { kind: 'waiting' }, unsaved: true });
    void this.flush();
  }

  /** After a conflict: their version is kept, mine dropped. */
  takeTheirs() {
    if (this.snapshot.state.kind !== 'conflict') return;
    const theirs = this.snapshot.state.theirs;
    this.base = theirs.version;
    writeStored(this.key, null);
    this.set({ values: valuesOf(theirs), unsaved: false, state: { kind: 'saved', at: theirs.updatedAt }, updatedAt: theirs.updatedAt, updatedByName: theirs.updatedByName, version: theirs.version });
  }

  retry() {
    if (this.snapshot.state.kind === 'offline' || this.snapshot.state.kind === 'error') void this.flush();
  }

  /** A newer answer came with the page's data (someone else saved): taken when nothing is typed here. */
  adopt(answer: Answer | undefined) {
    if (!answer || answer.version <= this.snapshot.version || answer.version <= this.base) return;
    if (this.snapshot.unsaved) return;
    this.base = answer.version;
    this.set({ values: valuesOf(answer), updatedAt: answer.updatedAt, updatedByName: answer.updatedByName, version: answer.version });
  }

  /** Leaving the page: what waits for its delay is sent now. */
  dispose() {
    if (this.timer !== undefined && this.snapshot.unsaved) void this.flush();
  }

  /** The answer and the scores from the server into the page's data, without reloading it. */
  private updateCache(result: SaveResponse) {
    this.queryClient.setQueryData<AssessmentDetail>(assessmentQuery(this.assessmentId).queryKey, (detail) => {
      if (!detail) return detail;
      const others = detail.answers.filter((answer) => answer.nodeId !== result.answer.nodeId);
      return {
        ...detail,
        answers: [...others, result.answer],
        scores: result.scores,
        assessment: { ...detail.assessment, score: result.overall.score, answeredCount: result.overall.answered, assessableCount: result.overall.total },
      };
    });
  }
}

/** The page's savers, one per measure, created on first use. */
export class SaverRegistry {
  private readonly savers = new Map<string, MeasureSaver>();
  private readonly listeners = new Set<() => void>();
  private unsavedCount = 0;
  private readonly onOnline = () => {
    for (const saver of this.savers.values()) saver.retry();
  };

  constructor(
    private readonly queryClient: QueryClient,
    private readonly assessmentId: string,
  ) {}

  get(nodeId: string, answer: Answer | undefined): MeasureSaver {
    let saver = this.savers.get(nodeId);
    if (!saver) {
      saver = new MeasureSaver(this.queryClient, this.assessmentId, nodeId, answer);
      saver.subscribe(() => this.recount());
      this.savers.set(nodeId, saver);
      this.recount();
    }
    return saver;
  }

  private recount() {
    let count = 0;
    for (const saver of this.savers.values()) if (saver.getSnapshot().unsaved) count++;
    if (count !== this.unsavedCount) {
      this.unsavedCount = count;
      for (const listener of this.listeners) listener();
    }
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** How many measures hold something not yet saved. */
  getUnsavedCount = () => this.unsavedCount;

  /** Starts the savers of measures typed before a reload, listens for the network coming back. */
  start(answers: Answer[], measureIds: Set<string>) {
    const byNode = new Map(answers.map((answer) => [answer.nodeId, answer]));
    try {
      const prefix = `hygie.diagnostic.${this.assessmentId}.`;
      for (let i = 0; i < window.sessionStorage.length; i++) {
        const key = window.sessionStorage.key(i);
        const nodeId = key?.startsWith(prefix) ? key.slice(prefix.length) : null;
        if (nodeId && measureIds.has(nodeId)) this.get(nodeId, byNode.get(nodeId));
      }
    } catch {
      // No storage: nothing was kept.
    }
    window.addEventListener('online', this.onOnline);
  }

  adoptAll(answers: Answer[]) {
    for (const answer of answers) this.savers.get(answer.nodeId)?.adopt(answer);
  }

  stop() {
    window.removeEventListener('online', this.onOnline);
    for (const saver of this.savers.values()) saver.dispose();
  }
}
