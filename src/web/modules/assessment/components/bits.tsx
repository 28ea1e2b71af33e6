import type { ReactNode } from 'react';
import { ChevronDown, ChevronRight } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssessmentSummary, FrameworkNode, RemediationAction } from '../../../../contracts/assessment';
import { StatusBadge } from '../../../ui';
import { ACTION_TONES, percent, PRIORITY_TONES, roundScore, scoreTone, STATUS_TONES } from '../model';

/** A bar with its words beside it: « 12 mesures sur 43 (28 %) ». */
export function ProgressBar({ value, max, label, className }: { value: number; max: number; label: string; className?: string }) {
  const id = useId();
  return (
    <div className={['progress', className].filter(Boolean).join(' ')}>
      <progress className="progress__bar" value={value} max={Math.max(max, 1)} aria-labelledby={id} />
      <span id={id} className="progress__text">
        {label}
      </span>
    </div>
  );
}

/** « 12 mesures sur 43 renseignées (28 %) ». */
export function AnswerProgress({ answered, total, className }: { answered: number; total: number; className?: string }) {
  const { t } = useTranslation();
  return <ProgressBar className={className} value={answered} max={total} label={t('assessment.progress.measures', { count: answered, total: String(total), percent: String(percent(answered, total)) })} />;
}

/** « 54 / 100 — À renforcer », or « Pas encore de score ». */
export function ScoreBadge({ score, levelOnly = false }: { score: number | null; levelOnly?: boolean }) {
  const { t } = useTranslation();
  const rounded = roundScore(score);
  const { tone, key } = scoreTone(rounded);
  if (rounded === null) return <StatusBadge tone="neutral">{t('assessment.score.none')}</StatusBadge>;
  if (levelOnly) return <StatusBadge tone={tone}>{t(`assessment.score.levels.${key}`)}</StatusBadge>;
  return <StatusBadge tone={tone}>{t('assessment.score.badge', { score: String(rounded), level: t(`assessment.score.levels.${key}`) })}</StatusBadge>;
}

export function AssessmentStatusBadge({ status }: { status: AssessmentSummary['status'] }) {
  const { t } = useTranslation();
  return <StatusBadge tone={STATUS_TONES[status]}>{t(`assessment.status.${status}`)}</StatusBadge>;
}

export function PriorityBadge({ priority }: { priority: FrameworkNode['priority'] }) {
  const { t } = useTranslation();
  if (!priority) return null;
  return <StatusBadge tone={priority === 'essential' ? 'warning' : 'neutral'}>{t(`assessment.priority.${priority}`)}</StatusBadge>;
}

export function ActionStatusBadge({ status }: { status: RemediationAction['status'] }) {
  const { t } = useTranslation();
  return <StatusBadge tone={ACTION_TONES[status]}>{t(`assessment.plan.status.${status}`)}</StatusBadge>;
}

export function ActionPriorityBadge({ priority }: { priority: RemediationAction['priority'] }) {
  const { t } = useTranslation();
  return <StatusBadge tone={PRIORITY_TONES[priority]}>{t(`assessment.plan.priority.${priority}`)}</StatusBadge>;
}

export function LateBadge() {
  const { t } = useTranslation();
  return <StatusBadge tone="danger">{t('assessment.plan.late')}</StatusBadge>;
}

interface DisclosureProps {
  id: string;
  level: 2 | 3;
  title: string;
  /** shown beside the title, inside the button: progress, score */
  meta?: ReactNode;
  open: boolean;
  onToggle: () => void;
  children: ReactNode;
}

/** A section whose content folds: the heading holds a button that says whether it is open. */
export function Disclosure({ id, level, title, meta, open, onToggle, children }: DisclosureProps) {
  const Heading = level === 2 ? 'h2' : 'h3';
  const Icon = open ? ChevronDown : ChevronRight;
  return (
    <section className="disclosure" aria-labelledby={`${id}-title`}>
      <Heading className="disclosure__heading">
        <button type="button" id={`${id}-button`} className="disclosure__button" aria-expanded={open} aria-controls={`${id}-panel`} onClick={onToggle}>
          <Icon className="icon" aria-hidden="true" />
          <span id={`${id}-title`} className="disclosure__title">
            {title}
          </span>
          {meta && <span className="disclosure__meta">{meta}</span>}
        </button>
      </Heading>
      <div id={`${id}-panel`} className="disclosure__panel" hidden={!open}>
        {open && children}
      </div>
    </section>
  );
}

/** Text written with line breaks: « - » lines become a list, other lines stay lines. */
export function Prose({ text }: { text: string }) {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const bullet = /^[-•*]\s+/;
  if (lines.length > 1 && lines.every((line) => bullet.test(line))) {
    return (
      <ul className="prose-list">
        {lines.map((line, index) => (
          <li key={index}>{line.replace(bullet, '')}</li>
        ))}
      </ul>
    );
  }
  return (
    <>
      {lines.map((line, index) => (
        <span key={index} className="prose-line">
          {line}
        </span>
      ))}
    </>
  );
}
