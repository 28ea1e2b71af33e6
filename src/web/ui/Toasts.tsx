import type { ReactNode } from 'react';
import { CircleCheck, Info, X } from 'lucide-react';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

type ToastTone = 'success' | 'info';
interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

const TOAST_DURATION_MS = 8000;

interface ToastApi {
  toasts: Toast[];
  show: (message: string, tone?: ToastTone) => void;
  dismiss: (id: number) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((list) => list.filter((toast) => toast.id !== id));
  }, []);

  const show = useCallback(
    (message: string, tone: ToastTone = 'success') => {
      const id = nextId.current++;
      setToasts((list) => [...list, { id, message, tone }]);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), TOAST_DURATION_MS),
      );
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const value = useMemo(() => ({ toasts, show, dismiss }), [toasts, show, dismiss]);
  return <ToastContext.Provider value={value}>{children}</ToastContext.Provider>;
}

function useToastApi(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast must be used inside <ToastProvider>');
  return api;
}

/** Show a short message after a success: `const toast = useToast(); toast('Enregistré.')`. */
export function useToast(): ToastApi['show'] {
  return useToastApi().show;
}

/** The live region where toasts appear; always in the page so that screen readers announce them. */
export function ToastViewport() {
  const { t } = useTranslation();
  const { toasts, dismiss } = useToastApi();
  return (
    <div className="toasts" role="status">
      {toasts.map((toast) => {
        const Icon = toast.tone === 'success' ? CircleCheck : Info;
        return (
          <div key={toast.id} className={`toast toast--${toast.tone}`}>
            <Icon className="icon" aria-hidden="true" />
            <p className="toast__message">{toast.message}</p>
            <button type="button" className="toast__close" onClick={() => dismiss(toast.id)} aria-label={t('ui.closeNotification')}>
              <X className="icon" aria-hidden="true" />
            </button>
          </div>
        );
      })}
    </div>
  );
}
