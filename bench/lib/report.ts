import type { LoadResult } from './load';

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

export function loadTable(results: LoadResult[]): string {
  return table(
    ['', 'req/s (mean)', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'requests', 'errors', 'non-2xx', 'RSS before', 'RSS after', 'heap after', 'heap after GC'],
    results.map((r) => [
      r.label,
      int(r.rps),
      fixed(r.p50),
      fixed(r.p95),
      fixed(r.p99),
      fixed(r.max, 1),
      int(r.requests),
      String(r.errors),
      String(r.non2xx),
      fixed(r.rssBeforeMb, 1),
      fixed(r.rssMb, 1),
      fixed(r.heapUsedMb, 1),
      fixed(r.heapLiveMb, 1),
    ]),
  );
}

export function section(title: string): string {
  return `\n${title}\n${'='.repeat(title.length)}`;
}
