import type { ReactNode } from 'react';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** Makes the column sortable by this value. */
  sortValue?: (row: T) => string | number | null;
  /** The cell that names the row (a <th scope="row">). */
  rowHeader?: boolean;
  className?: string;
}

interface TableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Shown instead of the table when there is no row: say what the list is for and the first action. */
  empty: ReactNode;
  initialSort?: { key: string; direction: Direction };
  /** Hide the caption visually (it stays for screen readers) when a heading already says the same. */
  captionHidden?: boolean;
}

type Direction = 'ascending' | 'descending';

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'fr', { sensitivity: 'base', numeric: true });
}

export function Table<T>({ caption, columns, rows, rowKey, empty, initialSort, captionHidden = false }: TableProps<T>) {
  const { t } = useTranslation();
  const captionId = useId();
  const [sort, setSort] = useState(initialSort ?? null);

  if (rows.length === 0) return <>{empty}</>;

  const sortValue = sort && columns.find((column) => column.key === sort.key)?.sortValue;
  const sign = sort?.direction === 'descending' ? -1 : 1;
  const sorted = sortValue ? [...rows].sort((a, b) => sign * compare(sortValue(a), sortValue(b))) : rows;

  const toggle = (key: string) =>
    setSort((current) => ({
      key,
      direction: current?.key === key && current.direction === 'ascending' ? 'descending' : 'ascending',
    }));

  return (
    // The wrapper scrolls on narrow screens; it is focusable so that the keyboard can scroll it too.
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="table">
        <caption id={captionId} className={captionHidden ? 'sr-only' : 'table__caption'}>
          {caption}
        </caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const direction = sort?.key === column.key ? sort.direction : undefined;
              const Icon = direction === 'ascending' ? ArrowUp : direction === 'descending' ? ArrowDown : ArrowUpDown;
              return (
                <th key={column.key} scope="col" aria-sort={column.sortValue ? (direction ?? 'none') : undefined} className={column.className}>
                  {column.sortValue ? (
                    <button type="button" className="table__sort" onClick={() => toggle(column.key)}>
                      {column.header}
                      <Icon className="icon" aria-hidden="true" />
                      <span className="sr-only">
                        {direction === 'ascending' ? t('ui.table.sortedAscending') : direction === 'descending' ? t('ui.table.sortedDescending') : t('ui.table.sortable')}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) =>
                column.rowHeader ? (
                  <th key={column.key} scope="row" className={column.className}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.key} className={column.className}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
