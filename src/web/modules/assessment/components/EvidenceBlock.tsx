import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FileUp, Link2, Trash2 } from 'lucide-react';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Evidence, FrameworkNode } from '../../../../contracts/assessment';
import { ApiError } from '../../../lib/api';
import { Button, ConfirmDialog } from '../../../ui';
import { addLinkEvidence, deleteEvidence, evidenceHref, uploadEvidence } from '../api';
import { useAssessmentFormat } from '../format';

const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = '.pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.ods,.txt,.csv';

const messageOf = (error: unknown) =>
  error instanceof ApiError && error.fields.length > 0 ? error.fields.map((field) => field.message).join(' ') : error instanceof Error ? error.message : String(error);

/** The evidence of a measure: files and links, to download or remove; a file or a link to add. */
export function EvidenceBlock({ assessmentId, node, evidence, editable }: { assessmentId: string; node: FrameworkNode; evidence: Evidence[]; editable: boolean }) {
  const { t } = useTranslation();
  const { dateTime, size } = useAssessmentFormat();
  const queryClient = useQueryClient();
  const id = `evidence-${node.id}`;
  const fileInput = useRef<HTMLInputElement>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [linkError, setLinkError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Evidence | null>(null);
  const [announce, setAnnounce] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['assessment', 'detail', assessmentId] });

  const upload = useMutation({
    mutationFn: (file: File) => uploadEvidence(assessmentId, node.id, file),
    onSuccess: async (added) => {
      if (fileInput.current) fileInput.current.value = '';
      setFileError(null);
      await refresh();
      setAnnounce(t('assessment.evidence.added', { name: added.fileName ?? '' }));
    },
    onError: (error) => setFileError(messageOf(error)),
  });
  const link = useMutation({
    mutationFn: (value: string) => addLinkEvidence(assessmentId, { nodeId: node.id, url: value }),
    onSuccess: async (added) => {
      setUrl('');
      setLinkError(null);
      await refresh();
      setAnnounce(t('assessment.evidence.added', { name: added.url ?? '' }));
    },
    onError: (error) => setLinkError(messageOf(error)),
  });
  const remove = useMutation({
    mutationFn: (item: Evidence) => deleteEvidence(assessmentId, item.id),
    onSuccess: async (_ok, item) => {
      setRemoving(null);
      await refresh();
      setAnnounce(t('assessment.evidence.removed', { name: item.fileName ?? item.url ?? '' }));
    },
  });

  const sendFile = (event: FormEvent) => {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (!file) return setFileError(t('assessment.evidence.chooseFile'));
    if (file.size > MAX_BYTES) return setFileError(t('assessment.evidence.tooLarge'));
    upload.mutate(file);
  };
  const sendLink = (event: FormEvent) => {
    event.preventDefault();
    const value = url.trim();
    if (!/^https?:\/\/\S+$/i.test(value)) return setLinkError(t('assessment.evidence.badLink'));
    link.mutate(value);
  };

  if (!editable && evidence.length === 0) return null;

  return (
    <div className="evidence">
      <p className="evidence__title" id={`${id}-title`}>
        {t('assessment.evidence.title')}
      </p>
      {evidence.length === 0 ? (
        <p className="muted">{t('assessment.evidence.none')}</p>
      ) : (
        <ul className="evidence__list" aria-labelledby={`${id}-title`}>
          {evidence.map((item) => {
            const name = item.kind === 'file' ? (item.fileName ?? t('assessment.evidence.file')) : (item.url ?? '');
            return (
              <li key={item.id} className="evidence__item">
                {item.kind === 'file' ? (
                  <a href={evidenceHref(assessmentId, item.id)} download={item.fileName ?? true}>
                    {t('assessment.evidence.download', { name })}
                  </a>
                ) : (
                  <a href={item.url ?? '#'} target="_blank" rel="noopener noreferrer">
                    {name}
                    <span className="sr-only"> {t('assessment.evidence.newTab')}</span>
                  </a>
                )}
                <span className="cell-detail">
                  {[item.size !== null ? size(item.size) : null, item.createdByName ? t('assessment.evidence.by', { name: item.createdByName, date: dateTime(item.createdAt) }) : dateTime(item.createdAt)]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
                {editable && (
                  <Button variant="secondary" icon={Trash2} onClick={() => setRemoving(item)} className="evidence__remove">
                    {t('assessment.evidence.remove')}
                    <span className="sr-only"> {name}</span>
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {editable && (
        <div className="evidence__forms">
          <form className="evidence__form" noValidate onSubmit={sendFile}>
            <div className={['field', fileError ? 'field--error' : ''].filter(Boolean).join(' ')}>
              <label className="field__label" htmlFor={`${id}-file`}>
                {t('assessment.evidence.fileLabel')}
              </label>
              <p className="field__hint" id={`${id}-file-hint`}>
                {t('assessment.evidence.fileHint')}
              </p>
              {fileError && (
                <p className="field__error" id={`${id}-file-error`}>
                  {fileError}
                </p>
              )}
              <input
                ref={fileInput}
                id={`${id}-file`}
                type="file"
                className="input input--file"
                accept={ACCEPT}
                aria-describedby={[`${id}-file-hint`, fileError ? `${id}-file-error` : ''].filter(Boolean).join(' ')}
                aria-invalid={fileError ? true : undefined}
              />
            </div>
            <Button type="submit" variant="secondary" icon={FileUp} loading={upload.isPending}>
              {t('assessment.evidence.upload')}
            </Button>
          </form>
          <form className="evidence__form" noValidate onSubmit={sendLink}>
            <div className={['field', linkError ? 'field--error' : ''].filter(Boolean).join(' ')}>
              <label className="field__label" htmlFor={`${id}-url`}>
                {t('assessment.evidence.linkLabel')}
              </label>
              <p className="field__hint" id={`${id}-url-hint`}>
                {t('assessment.evidence.linkHint')}
              </p>
              {linkError && (
                <p className="field__error" id={`${id}-url-error`}>
                  {linkError}
                </p>
              )}
              <input
                id={`${id}-url`}
                type="url"
                className="input"
                inputMode="url"
                spellCheck={false}
                value={url}
                onChange={(event) => setUrl(event.target.value)}
                aria-describedby={[`${id}-url-hint`, linkError ? `${id}-url-error` : ''].filter(Boolean).join(' ')}
                aria-invalid={linkError ? true : undefined}
              />
            </div>
            <Button type="submit" variant="secondary" icon={Link2} loading={link.isPending}>
              {t('assessment.evidence.addLink')}
            </Button>
          </form>
        </div>
      )}
      <p className="sr-only" role="status">
        {announce}
      </p>
      <ConfirmDialog
        open={removing !== null}
        title={t('assessment.evidence.confirmTitle', { name: removing?.fileName ?? removing?.url ?? '' })}
        confirmLabel={t('assessment.evidence.remove')}
        danger
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        pending={remove.isPending}
        error={remove.isError ? remove.error.message : undefined}
      >
        <p>{t('assessment.evidence.confirmText')}</p>
      </ConfirmDialog>
    </div>
  );
}
