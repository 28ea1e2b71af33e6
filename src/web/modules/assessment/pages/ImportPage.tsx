import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { FileSearch, Upload } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportPreview } from '../../../../contracts/assessment';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import { Button, Notice, PageHeader, useToast } from '../../../ui';
import { importFramework } from '../api';
import { NotForYou } from '../components/guards';
import { mayImport } from '../model';
import '../assessment.css';

const MAX_BYTES = 5_000_000;

interface Problem {
  line: number | null;
  path: string;
  message: string;
}

/** « ligne 12: objects.framework… » → line 12 and the path; other paths are kept as they are. */
function toProblem(path: string, message: string): Problem {
  const match = /^ligne\s+(\d+)\s*:?\s*(.*)$/i.exec(path);
  return match ? { line: Number(match[1]), path: match[2], message } : { line: null, path, message };
}

/** Import of a CISO Assistant library: choose the file, check it (nothing written), then import. */
export function ImportPage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <>
      <PageHeader
        title={t('assessment.import.title')}
        breadcrumb={[
          { label: t('assessment.list.title'), to: '/diagnostic' },
          { label: t('assessment.frameworks.title'), to: '/diagnostic/referentiels' },
        ]}
        lead={<p>{t('assessment.import.lead')}</p>}
      />
      {mayImport(me) ? <ImportForm /> : <NotForYou />}
    </>
  );
}

function ImportForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const fileInput = useRef<HTMLInputElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const [text, setText] = useState<{ name: string; yaml: string } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [generalError, setGeneralError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);

  const fail = (error: unknown) => {
    if (error instanceof ApiError && error.fields.length > 0) {
      setProblems(error.fields.map((field) => toProblem(field.path, field.message)));
      setGeneralError(null);
    } else {
      setProblems([]);
      setGeneralError(error instanceof Error ? error.message : String(error));
    }
  };

  const check = useMutation({
    mutationFn: (yaml: string) => importFramework({ yaml, dryRun: true }),
    onSuccess: (result) => {
      setPreview(result.preview);
      setProblems(result.preview.problems.map((p) => ({ line: p.line, path: p.path, message: p.message })));
      setGeneralError(null);
    },
    onError: (error) => {
      setPreview(null);
      fail(error);
    },
  });
  const run = useMutation({
    mutationFn: (yaml: string) => importFramework({ yaml, dryRun: false }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'frameworks'] });
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'framework'] });
      toast(t('assessment.import.done', { name: result.preview.name, version: String(result.preview.version) }));
      if (result.frameworkId) void navigate({ to: '/diagnostic/referentiels/$id', params: { id: result.frameworkId } });
      else void navigate({ to: '/diagnostic/referentiels' });
    },
    onError: fail,
  });

  // The list of problems takes the focus when it appears, as error summaries do.
  const problemCount = problems.length + (generalError ? 1 : 0);
  useEffect(() => {
    if (problemCount > 0) summary.current?.focus();
  }, [problemCount, check.submittedAt, run.submittedAt]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPreview(null);
    setProblems([]);
    setGeneralError(null);
    const file = fileInput.current?.files?.[0];
    if (!file) return setFileError(t('assessment.import.chooseFile'));
    if (!/\.ya?ml$/i.test(file.name)) return setFileError(t('assessment.import.notYaml'));
    if (file.size > MAX_BYTES) return setFileError(t('assessment.import.tooLarge'));
    setFileError(null);
    const yaml = await file.text();
    setText({ name: file.name, yaml });
    check.mutate(yaml);
  };

  const describe = (p: ImportPreview) => {
    switch (p.action) {
      case 'create':
        return t('assessment.import.preview.create', { name: p.name, version: String(p.version), nodes: String(p.nodeCount), count: p.assessableCount });
      case 'update':
        return t('assessment.import.preview.update', { name: p.name, from: String(p.currentVersion ?? '?'), version: String(p.version) });
      case 'unchanged':
        return t('assessment.import.preview.unchanged', { name: p.name, version: String(p.version) });
      case 'older':
        return t('assessment.import.preview.older', { name: p.name, version: String(p.version), current: String(p.currentVersion ?? '?') });
    }
  };
  const importable = preview !== null && problems.length === 0 && (preview.action === 'create' || preview.action === 'update');

  return (
    <>
      {problemCount > 0 && (
        <div ref={summary} className="error-summary" role="alert" tabIndex={-1} aria-labelledby="import-problems-title">
          <p className="error-summary__title" id="import-problems-title">
            {generalError && problems.length === 0 ? t('ui.errorSummary.problem') : t('assessment.import.problems', { count: problems.length })}
          </p>
          <ul className="error-summary__list">
            {generalError && <li>{generalError}</li>}
            {problems.map((problem, index) => (
              <li key={index}>
                <strong>{problem.line !== null ? t('assessment.import.line', { line: String(problem.line) }) : t('assessment.import.noLine')}</strong> {problem.message}
                {problem.path && (
                  <span className="cell-detail">
                    <code className="code">{problem.path}</code>
                  </span>
                )}
              </li>
            ))}
          </ul>
          {problems.length > 0 && <p>{t('assessment.import.problemsHelp')}</p>}
        </div>
      )}
      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        <div className={['field', fileError ? 'field--error' : ''].filter(Boolean).join(' ')}>
          <label className="field__label" htmlFor="import-file">
            {t('assessment.import.file')}
          </label>
          <p className="field__hint" id="import-file-hint">
            {t('assessment.import.fileHint')}
          </p>
          {fileError && (
            <p className="field__error" id="import-file-error">
              {fileError}
            </p>
          )}
          <input
            ref={fileInput}
            id="import-file"
            type="file"
            accept=".yaml,.yml,application/yaml,text/yaml"
            className="input input--file"
            aria-describedby={['import-file-hint', fileError ? 'import-file-error' : ''].filter(Boolean).join(' ')}
            aria-invalid={fileError ? true : undefined}
            onChange={() => {
              setPreview(null);
              setText(null);
            }}
          />
        </div>
        <Button type="submit" variant={importable ? 'secondary' : 'primary'} icon={FileSearch} loading={check.isPending}>
          {t('assessment.import.check')}
        </Button>
      </form>
      {preview && (
        <section aria-labelledby="import-preview-title" className="section">
          <h2 id="import-preview-title">{t('assessment.import.previewTitle')}</h2>
          <Notice tone={importable ? 'info' : 'warning'} role="status">
            <p>{describe(preview)}</p>
            {preview.action === 'update' && (
              <ul className="plain-list">
                <li>{t('assessment.import.preview.added', { count: preview.added })}</li>
                <li>{t('assessment.import.preview.removed', { count: preview.removed })}</li>
                <li>{t('assessment.import.preview.changed', { count: preview.changed })}</li>
              </ul>
            )}
            {preview.action === 'update' && <p>{t('assessment.import.preview.answersKept')}</p>}
          </Notice>
          {text && <p className="muted">{t('assessment.import.fileName', { name: text.name })}</p>}
          {importable && text && (
            <Button icon={Upload} loading={run.isPending} onClick={() => run.mutate(text.yaml)}>
              {t('assessment.import.run')}
            </Button>
          )}
        </section>
      )}
    </>
  );
}
