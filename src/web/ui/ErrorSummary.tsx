import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { hasErrors, type FormErrors } from '../lib/forms';
import { JumpLink } from './JumpLink';

interface ErrorSummaryProps {
  errors: FormErrors;
  /** Field path in the body → id of its control, in the order of the form. */
  fieldIds: Record<string, string>;
}

/** Listed at the top of a form, each error linking to its field; focused when shown. */
export function ErrorSummary({ errors, fieldIds }: ErrorSummaryProps) {
  const { t } = useTranslation();
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const visible = hasErrors(errors);

  useEffect(() => {
    if (visible) ref.current?.focus();
  }, [errors, visible]);

  if (!visible) return null;

  const known = Object.keys(fieldIds).filter((path) => errors.fields[path]);
  const others = Object.keys(errors.fields).filter((path) => !(path in fieldIds));
  const fieldCount = known.length + others.length;

  return (
    <div ref={ref} className="error-summary" role="alert" tabIndex={-1} aria-labelledby={titleId}>
      <p className="error-summary__title" id={titleId}>
        {fieldCount > 0 ? t('ui.errorSummary.fields', { count: fieldCount }) : t('ui.errorSummary.problem')}
      </p>
      <ul className="error-summary__list">
        {errors.message && <li>{errors.message}</li>}
        {known.map((path) => (
          <li key={path}>
            <JumpLink targetId={fieldIds[path]}>{errors.fields[path]}</JumpLink>
          </li>
        ))}
        {others.map((path) => (
          <li key={path}>{errors.fields[path]}</li>
        ))}
      </ul>
    </div>
  );
}
