import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';

/**
 * The observatory's charts. Each is one image named by the page's text summary; the page
 * always shows the same figures in a table beside it.
 */

const PRIMARY = '#0e5a6e';
const SECOND = '#8a5300';
const THIRD = '#1f4e99';
const TEXT = '#1b1f23';
const GRID = '#6b737d';

const shorten = (label: string, max = 22) => (label.length > max ? `${label.slice(0, max - 1).trimEnd()}…` : label);

export interface MedianPoint {
  name: string;
  median: number;
  /** distance to the first and third quartiles */
  spread: [number, number];
}

/** Median score by objective, with the quartiles as whiskers. */
export function MedianBars({ data, label, seriesName }: { data: MedianPoint[]; label: string; seriesName: string }) {
  return (
    <div className="region-chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={Math.max(180, data.length * 44 + 60)}>
        <BarChart data={data.map((p) => ({ ...p, name: shorten(p.name, 30) }))} layout="vertical" margin={{ left: 16, right: 24 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <YAxis type="category" dataKey="name" width={200} tick={{ fill: TEXT, fontSize: 13 }} stroke={GRID} />
          <Bar dataKey="median" name={seriesName} fill={PRIMARY} isAnimationActive={false}>
            <ErrorBar dataKey="spread" width={6} stroke={SECOND} strokeWidth={2} direction="x" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface CountPoint {
  name: string;
  count: number;
}

/** How many establishments fall in each band of overall score. */
export function CountBars({ data, label, seriesName }: { data: CountPoint[]; label: string; seriesName: string }) {
  return (
    <div className="region-chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} interval={0} />
          <YAxis allowDecimals={false} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <Bar dataKey="count" name={seriesName} fill={PRIMARY} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface TrendPoint {
  name: string;
  median: number | null;
}

/** The median overall score over the campaigns, oldest first. */
export function TrendLine({ data, label, seriesName }: { data: TrendPoint[]; label: string; seriesName: string }) {
  return (
    <div className="region-chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data.map((p) => ({ ...p, name: shorten(p.name) }))} margin={{ top: 8, right: 24, left: 0, bottom: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" />
          <XAxis dataKey="name" tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <YAxis domain={[0, 100]} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <Line dataKey="median" name={seriesName} stroke={PRIMARY} strokeWidth={2} dot connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface BenchPoint {
  name: string;
  own: number | null;
  category: number | null;
  region: number | null;
}

/** The establishment's own scores beside the anonymous medians of its category and region. */
export function BenchBars({ data, label, names }: { data: BenchPoint[]; label: string; names: { own: string; category: string; region: string } }) {
  return (
    <div className="region-chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={360}>
        <BarChart data={data.map((p) => ({ ...p, name: shorten(p.name, 18) }))} margin={{ top: 8, right: 16, left: 0, bottom: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} interval={0} />
          <YAxis domain={[0, 100]} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <Legend wrapperStyle={{ color: TEXT }} />
          <Bar dataKey="own" name={names.own} fill={PRIMARY} isAnimationActive={false} />
          <Bar dataKey="category" name={names.category} fill={SECOND} isAnimationActive={false} />
          <Bar dataKey="region" name={names.region} fill={THIRD} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
