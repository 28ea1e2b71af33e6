import type { LucideIcon } from 'lucide-react';
import type { ButtonHTMLAttributes, MouseEvent } from 'react';
import { LoaderCircle } from 'lucide-react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link';

/** The classes of a button, also for links that look like one (a link navigates, a button acts). */
export function buttonClass(variant: ButtonVariant = 'primary', extra?: string): string {
  return ['button', `button--${variant}`, extra].filter(Boolean).join(' ');
}

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  /** While true the button shows progress and ignores clicks, but keeps its name and its focus. */
  loading?: boolean;
  icon?: LucideIcon;
}

export function Button({ variant = 'primary', loading = false, icon: Icon, className, onClick, children, type = 'button', ...rest }: ButtonProps) {
  const handleClick = (event: MouseEvent<HTMLButtonElement>) => {
    if (loading) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  };
  return (
    <button
      {...rest}
      type={type}
      className={buttonClass(variant, className)}
      aria-disabled={loading || undefined}
      aria-busy={loading || undefined}
      onClick={handleClick}
    >
      {loading ? (
        <LoaderCircle className="icon icon--spin" aria-hidden="true" />
      ) : (
        Icon && <Icon className="icon" aria-hidden="true" />
      )}
      {children}
    </button>
  );
}
