import type { ReactNode } from 'react';

interface EmptyStateProps {
  title: string;
  /** What the list is for, so that the first visit teaches something. */
  children: ReactNode;
  /** The first action to take. */
  action?: ReactNode;
}

export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <div className="empty-state">
      <p className="empty-state__title">{title}</p>
      <div className="empty-state__text">{children}</div>
      {action && <div className="empty-state__action">{action}</div>}
    </div>
  );
}
