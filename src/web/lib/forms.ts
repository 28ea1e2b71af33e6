import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { i18n } from '../i18n';
import { ApiError } from './api';

/** Errors of a form: one message per field (by its path in the body), and one for the whole form. */
export interface FormErrors {
  fields: Record<string, string>;
  message?: string;
}

const noErrors: FormErrors = { fields: {} };

function fromZod(error: z.ZodError): FormErrors {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    fields[path] ??= issue.message;
  }
  return { fields };
}

function fromApi(error: unknown): FormErrors {
  if (!(error instanceof ApiError)) return { fields: {}, message: i18n.t('errors.generic') };
  if (error.fields.length === 0) return { fields: {}, message: error.message };
  const fields: Record<string, string> = {};
  for (const field of error.fields) fields[field.path] ??= field.message;
  return { fields };
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.message !== undefined || Object.keys(errors.fields).length > 0;
}

/**
 * Form errors from the contract's zod schema (before sending) and from the API (after).
 * Values stay in the form's own state, so nothing typed is lost on an error.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const validate = useCallback(<S extends z.ZodType>(schema: S, values: unknown): z.output<S> | null => {
    const result = schema.safeParse(values);
    if (result.success) {
      setErrors(noErrors);
      return result.data;
    }
    setErrors(fromZod(result.error));
    return null;
  }, []);
  const fail = useCallback((error: unknown) => setErrors(fromApi(error)), []);
  const clear = useCallback(() => setErrors(noErrors), []);
  return { errors, validate, fail, clear };
}
