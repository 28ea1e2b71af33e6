import type { ReactNode } from 'react';

/**
 * A link to a place in the page that moves the focus there without touching the URL:
 * some pages carry a single-use token in the #fragment.
 */
export function JumpLink({ targetId, className, children }: { targetId: string; className?: string; children: ReactNode }) {
  return (
    <a
      href={`#${targetId}`}
      className={className}
      onClick={(event) => {
        const target = document.getElementById(targetId);
        if (!target) return;
        event.preventDefault();
        target.focus();
      }}
    >
      {children}
    </a>
  );
}
