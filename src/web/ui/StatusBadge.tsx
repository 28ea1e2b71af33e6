import type { LucideIcon } from 'lucide-react';
import { Ban, CircleAlert, CircleCheck, CircleDot, Info } from 'lucide-react';

export type Tone = 'success' | 'danger' | 'warning' | 'info' | 'neutral';

const ICONS: Record<Tone, LucideIcon> = {
  success: CircleCheck,
  danger: Ban,
  warning: CircleAlert,
  info: Info,
  neutral: CircleDot,
};

/** A status in words, with a colour and an icon that only repeat them. */
export function StatusBadge({ tone, children }: { tone: Tone; children: string }) {
  const Icon = ICONS[tone];
  return (
    <span className={`badge badge--${tone}`}>
      <Icon className="icon" aria-hidden="true" />
      {children}
    </span>
  );
}
