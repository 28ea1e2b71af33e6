import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StatusBadge } from '../../../ui';
import { countdownParts, countdownText, countdownTone } from '../model';

/** Every countdown of the page moves together, every 30 seconds: one timer, no per-second chatter. */
const TICK_MS = 30_000;
const listeners = new Set<() => void>();
let ticker: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  ticker ??= setInterval(() => {
    for (const l of listeners) l();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
}

/** The time now, refreshed every 30 seconds. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => subscribe(() => setNow(Date.now())), []);
  return now;
}

/**
 * Time left before a regulatory deadline, in words and colour: « reste 5 h 12 », « En retard
 * de 2 h 05 » (red). Not a live region: it changes quietly; the deadline itself is written
 * beside it for people who read it with a screen reader.
 */
export function Countdown({ dueAt, now }: { dueAt: string; now?: number }) {
  const { t } = useTranslation();
  const ticking = useNow();
  const parts = countdownParts(dueAt, now ?? ticking);
  const { key, values } = countdownText(parts);
  return (
    <span className="countdown">
      <StatusBadge tone={countdownTone(parts)}>{t(`incidents.declare.countdown.${key}`, values)}</StatusBadge>
    </span>
  );
}
