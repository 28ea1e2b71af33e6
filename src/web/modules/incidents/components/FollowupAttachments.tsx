import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FileUp, Trash2 } from 'lucide-react';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, ConfirmDialog, EmptyState } from '../../../ui';
import {
  ATTACHMENT_ACCEPT,
  type Attachment,
  attachmentHref,
  deleteAttachment,
  followUpKey,
  MAX_ATTACHMENT_BYTES,
  messageOf,
  uploadAttachment,
  useFollowFormat,
} from '../followup-api';

/** Documents of the incident: the accepted types and size said before choosing, the sending shown, each to download or remove. */
export function FollowupAttachments({ incidentId, attachments, editable }: { incidentId: string; attachments: Attachment[]; editable: boolean }) {
  const { t } = useTranslation();
  const { dateTime, size } = useFollowFormat();
  const queryClient = useQueryClient();
  const titleId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState(0);
  const [removing, setRemoving] = useState<Attachment | null>(null);
  const [announce, setAnnounce] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });

  const upload = useMutation({
    mutationFn: (file: File) => {
      setProgress(0);
      return uploadAttachment(incidentId, file, setProgress);
    },
    onSuccess: async (added) => {
      if (fileInput.current) fileInput.current.value = '';
      setFileError(null);
      await refresh();
      setAnnounce(t('incidents.follow.attachments.added', { name: added.fileName }));
    },
    onError: (error) => setFileError(messageOf(error)),
  });
  const remove = useMutation({
    mutationFn: (item: Attachment) => deleteAttachment(incidentId, item.id),
    onSuccess: async (_ok, item) => {
      setRemoving(null);
      await refresh();
      setAnnounce(t('incidents.follow.attachments.removed', { name: item.fileName }));
    },
  });

  const send = (event: FormEvent) => {
    event.preventDefault();
    setAnnounce('');
    const file = fileInput.current?.files?.[0];
    if (!file) return setFileError(t('incidents.follow.attachments.chooseFile'));
    if (file.size > MAX_ATTACHMENT_BYTES) return setFileError(t('incidents.follow.attachments.tooLarge'));
    setFileError(null);
    upload.mutate(file);
  };

  const sorted = [...attachments].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const percent = Math.round(progress * 100);
  const fileId = 'attachment-file';

  return (
    <section className="followup__block" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('incidents.follow.attachments.title')}</h2>
      <p className="followup__lead">{t('incidents.follow.attachments.lead')}</p>
      {sorted.length === 0 ? (
        <EmptyState title={t('incidents.follow.attachments.emptyTitle')}>
          <p>{editable ? t('incidents.follow.attachments.emptyText') : t('incidents.follow.attachments.emptyReadOnly')}</p>
        </EmptyState>
      ) : (
        <ul className="followup-files" aria-label={t('incidents.follow.attachments.caption')}>
          {sorted.map((item) => (
            <li key={item.id} className="followup-files__item">
              <a href={attachmentHref(incidentId, item.id)} download={item.fileName}>
                {t('incidents.follow.attachments.download', { name: item.fileName })}
              </a>
              <span className="cell-detail">
                {size(item.size)} ·{' '}
                {item.createdByName
                  ? t('incidents.follow.attachments.by', { name: item.createdByName, date: dateTime(item.createdAt) })
                  : t('incidents.follow.attachments.on', { date: dateTime(item.createdAt) })}
              </span>
              {editable && (
                <Button variant="secondary" icon={Trash2} onClick={() => setRemoving(item)} className="followup-files__remove">
                  {t('incidents.follow.attachments.remove')}
                  <span className="sr-only"> {item.fileName}</span>
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="followup-form" noValidate onSubmit={send}>
          <div className={['field', fileError ? 'field--error' : ''].filter(Boolean).join(' ')}>
            <label className="field__label" htmlFor={fileId}>
              {t('incidents.follow.attachments.fileLabel')}
            </label>
            <p className="field__hint" id={`${fileId}-hint`}>
              {t('incidents.follow.attachments.fileHint')}
            </p>
            {fileError && (
              <p className="field__error" id={`${fileId}-error`}>
                <span className="sr-only">{t('ui.errorPrefix')}</span>
                {fileError}
              </p>
            )}
            <input
              ref={fileInput}
              id={fileId}
              type="file"
              className="input input--file"
              accept={ATTACHMENT_ACCEPT}
              onChange={() => setFileError(null)}
              aria-describedby={[`${fileId}-hint`, fileError ? `${fileId}-error` : ''].filter(Boolean).join(' ')}
              aria-invalid={fileError ? true : undefined}
            />
          </div>
          {upload.isPending && (
            <div className="followup-progress">
              <label htmlFor="attachment-progress">{t('incidents.follow.attachments.progress')}</label>
              <progress id="attachment-progress" max={100} value={percent}>
                {t('incidents.follow.attachments.sending', { percent })}
              </progress>
              <span aria-hidden="true">{percent} %</span>
            </div>
          )}
          <Button type="submit" variant="secondary" icon={FileUp} loading={upload.isPending}>
            {t('incidents.follow.attachments.submit')}
          </Button>
        </form>
      )}
      <p className="sr-only" role="status">
        {announce}
      </p>
      <ConfirmDialog
        open={removing !== null}
        title={t('incidents.follow.attachments.confirmTitle', { name: removing?.fileName ?? '' })}
        confirmLabel={t('incidents.follow.attachments.remove')}
        danger
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        pending={remove.isPending}
        error={remove.isError ? remove.error.message : undefined}
      >
        <p>{t('incidents.follow.attachments.confirmText')}</p>
      </ConfirmDialog>
    </section>
  );
}
