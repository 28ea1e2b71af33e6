import type { ReactNode } from 'react';
import { useEffect, useRef } from 'react';
import { Breadcrumb, type Crumb } from './Breadcrumb';

interface PageHeaderProps {
  title: string;
  /** The pages above this one; omit on the home page and outside the signed-in area. */
  breadcrumb?: Crumb[];
  lead?: ReactNode;
  actions?: ReactNode;
}

// The first page of a visit keeps the browser's focus; after that, each page moves focus to its title.
let firstPage = true;

/** The page's breadcrumb and its single <h1>; sets the window title to "<page> — Hygie". */
export function PageHeader({ title, breadcrumb, lead, actions }: PageHeaderProps) {
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${title} — Hygie`;
  }, [title]);

  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    heading.current?.focus();
  }, []);

  return (
    <div className="page-header">
      {breadcrumb && <Breadcrumb parents={breadcrumb} current={title} />}
      <div className="page-header__row">
        <h1 ref={heading} tabIndex={-1} className="page-header__title">
          {title}
        </h1>
        {actions && <div className="page-header__actions">{actions}</div>}
      </div>
      {lead && <div className="page-header__lead">{lead}</div>}
    </div>
  );
}
