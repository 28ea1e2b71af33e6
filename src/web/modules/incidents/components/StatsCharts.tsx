import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, XAxis, YAxis } from 'recharts';

/**
 * The incident statistics' charts. Each is one image named by the page's text summary; the
 * page always shows the same figures in a table beside it.
 */

const PRIMARY = '#0e5a6e';
const DANGER = '#b3261e';
const TEXT = '#1b1f23';
const GRID = '#6b737d';

export interface MonthPoint {
  name: string;
  malicious: number;
  other: number;
}

/** Declarations per month, the malicious ones stacked under the others. */
export function MonthlyBars({ data, label, names }: { data: MonthPoint[]; label: string; names: { malicious: string; other: string } }) {
  return (
    <div className="inc-region-chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={300}>
        <BarChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <YAxis allowDecimals={false} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <Legend wrapperStyle={{ color: TEXT }} />
          <Bar dataKey="malicious" stackId="month" name={names.malicious} fill={DANGER} isAnimationActive={false} />
          <Bar dataKey="other" stackId="month" name={names.other} fill={PRIMARY} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface TypePoint {
  name: string;
  count: number;
}

/** Declarations by type of incident, as horizontal bars. */
export function TypeBars({ data, label, seriesName }: { data: TypePoint[]; label: string; seriesName: string }) {
  return (
    <div className="inc-region-chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={Math.max(160, data.length * 40 + 60)}>
        <BarChart data={data} layout="vertical" margin={{ left: 16, right: 24 }} accessibilityLayer={false}>
          <CartesianGrid stroke={GRID} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={{ fill: TEXT, fontSize: 12 }} stroke={GRID} />
          <YAxis type="category" dataKey="name" width={200} tick={{ fill: TEXT, fontSize: 13 }} stroke={GRID} />
          <Bar dataKey="count" name={seriesName} fill={PRIMARY} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
