import { useRouterState } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';

/**
 * A panel opened by a button in the top bar (the user menu, the notifications): open for the
 * page where it was opened (going to another page closes it), closed by Escape — focus then
 * goes back to the button — and by a click outside `root`.
 */
export function useDisclosure() {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpenOn(null);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpenOn(null);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return {
    open,
    root,
    button,
    setOpen: (value: boolean) => setOpenOn(value ? pathname : null),
    /** Closes and gives the focus back to the button (after choosing an item). */
    close: () => {
      setOpenOn(null);
      button.current?.focus();
    },
  };
}
