import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { CircleAlert } from 'lucide-react';
import { useTranslation } from 'react-i18next';

interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}

/** A label, an optional hint and an error, tied to their control by id and aria-describedby. */
export function Field({ id, label, hint, error, className, children }: FieldProps) {
  const { t } = useTranslation();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', error ? 'field--error' : '', className].filter(Boolean).join(' ')}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          <CircleAlert className="icon" aria-hidden="true" />
          <span className="sr-only">{t('ui.errorPrefix')}</span>
          {error}
        </p>
      )}
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
    </div>
  );
}

type CommonProps = { id: string; label: ReactNode; hint?: ReactNode; error?: string; className?: string };

export function TextInput({ id, label, hint, error, className, ...input }: CommonProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>) {
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      {(control) => <input className="input" type="text" {...input} {...control} />}
    </Field>
  );
}

export function Select({ id, label, hint, error, className, children, ...select }: CommonProps & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'>) {
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      {(control) => (
        <select className="select" {...select} {...control}>
          {children}
        </select>
      )}
    </Field>
  );
}

export function Checkbox({ id, label, hint, error, className, ...input }: CommonProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'>) {
  const { t } = useTranslation();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={['checkbox', error ? 'field--error' : '', className].filter(Boolean).join(' ')}>
      <input
        {...input}
        type="checkbox"
        id={id}
        className="checkbox__input"
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        aria-invalid={error ? true : undefined}
      />
      <div>
        <label className="checkbox__label" htmlFor={id}>
          {label}
        </label>
        {hint && (
          <p className="field__hint" id={hintId}>
            {hint}
          </p>
        )}
        {error && (
          <p className="field__error" id={errorId}>
            <span className="sr-only">{t('ui.errorPrefix')}</span>
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
