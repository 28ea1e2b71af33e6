import { useSyncExternalStore } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, PolarAngleAxis, PolarGrid, PolarRadiusAxis, Radar, RadarChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';

/**
 * The charts of the results page. Each is drawn as one image named by the text summary
 * given by the page; the page always shows the same figures in a table beside it.
 */

const PRIMARY = '#0e5a6e';
const SECOND = '#8a5300';
const TEXT = '#1b1f23';
const GRID = '#6b737d';

const shorten = (label: string, max = 26) => (label.length > max ? `${label.slice(0, max - 1).trimEnd()}…` : label);

/** Words into lines of about `width` characters, at most `max` lines (the last one cut with …). */
function wrap(label: string, width: number, max = 3): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(/\s+/)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), shorten(lines.slice(max - 1).join(' '), width)];
}

interface TickProps {
  x?: number | string;
  y?: number | string;
  cy?: number;
  textAnchor?: 'start' | 'middle' | 'end' | 'inherit';
  payload?: { value?: string | number };
}

const NARROW = '(max-width: 40rem)';
const subscribeNarrow = (listener: () => void) => {
  const query = window.matchMedia(NARROW);
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
};
/** A phone's width: shorter labels and a smaller radar, so that the names fit around it. */
const useNarrow = () => useSyncExternalStore(subscribeNarrow, () => window.matchMedia(NARROW).matches);

/** An objective's name around the radar, on several lines, pushed away from the centre. */
function AngleTick({ x = 0, y = 0, cy = 0, textAnchor = 'middle', payload, width = 20 }: TickProps & { width?: number }) {
  const lines = wrap(String(payload?.value ?? ''), width);
  const top = Number(y) < cy - 5;
  const bottom = Number(y) > cy + 5;
  // Lines stack upwards above the centre, downwards below it, and around the point on the sides.
  const first = top ? -(lines.length - 1) * 1.15 : bottom ? 0.8 : -((lines.length - 1) * 1.15) / 2 + 0.35;
  return (
    <text x={x} y={y} textAnchor={textAnchor} fill={TEXT} fontSize={width < 20 ? 12 : 13}>
      {lines.map((line, index) => (
        <tspan key={index} x={x} dy={`${index === 0 ? first : 1.15}em`}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

/** A category's name under its bars, on up to three lines. */
function CategoryTick({ x = 0, y = 0, payload, width = 16 }: TickProps & { width?: number }) {
  const lines = wrap(String(payload?.value ?? ''), width);
  return (
    <text x={x} y={y} textAnchor="middle" fill={TEXT} fontSize={12}>
      {lines.map((line, index) => (
        <tspan key={index} x={x} dy={`${index === 0 ? 0.9 : 1.15}em`}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

export interface RadarPoint {
  name: string;
  score: number;
}

export function ScoreRadar({ data, label, seriesName }: { data: RadarPoint[]; label: string; seriesName: string }) {
  const narrow = useNarrow();
  return (
    <div className="chart__canvas" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={narrow ? 340 : 420}>
        <RadarChart data={data} outerRadius={narrow ? '46%' : '62%'} accessibilityLayer={false}>
          <PolarGrid stroke={GRID} />
          <PolarAngleAxis dataKey="name" tick={(props: TickProps) => <AngleTick {...props} width={narrow ? 11 : 20} />} />
          <PolarRadiusAxis domain={[0, 100]} angle={90 - 180 / Math.max(data.length, 1)} tickCount={6} tick={{ fill: TEXT, fontSize: 11 }} axisLine={{ stroke: GRID }} />
          <Radar name={seriesName} dataKey="score" stroke={PRIMARY} strokeWidth={2} fill={PRIMARY} fillOpacity={0.3} isAnimationActive={false} dot />
        </RadarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface ScoreBar {
  name: string;
  score: number;
}

/** Horizontal bars, for a framework with fewer than three objectives (a radar needs three). */
export function ScoreBars({ data, label, seriesName }: { data: ScoreBar[]; label: string; seriesName: string }) {
  return (
    <div className="chart__canvas" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={Math.max(160, data.length * 56 + 60)}>
        <BarChart data={data.map((point) => ({ ...point, name: shorten(point.name, 30) }))} layout="vertical" margin={{ left: 24, right: 24 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <YAxis type="category" dataKey="name" width={180} tick={{ fill: TEXT, fontSize: 13 }} stroke={GRID} />
          <Bar dataKey="score" name={seriesName} fill={PRIMARY} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface ComparePoint {
  name: string;
  left: number;
  right: number;
}

/** Two assessments side by side, one pair of bars per objective; the legend names each. */
export function CompareBars({ data, label, leftName, rightName }: { data: ComparePoint[]; label: string; leftName: string; rightName: string }) {
  const narrow = useNarrow();
  return (
    <div className="chart__canvas" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={360}>
        <BarChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={(props: TickProps) => <CategoryTick {...props} width={narrow ? 10 : 18} />} height={56} stroke={GRID} interval={0} />
          <YAxis domain={[0, 100]} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <Legend wrapperStyle={{ color: TEXT }} itemSorter={null} />
          <Bar dataKey="left" name={leftName} fill={PRIMARY} isAnimationActive={false} />
          <Bar dataKey="right" name={rightName} fill={SECOND} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
