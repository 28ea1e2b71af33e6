/** Only a path of this site is a valid destination after signing in (never another site). */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  return value;
}

const INVITATION_KEY = 'hygie.invitation-token';

/**
 * The single-use token of an e-mailed link comes in the #fragment. An invitation token is also
 * kept for this tab, so that the page still knows it after the person signed in.
 */
export function tokenFromHash(): string | null {
  return new URLSearchParams(window.location.hash.slice(1)).get('token');
}

export const invitationToken = {
  read(): string | null {
    const fromLink = tokenFromHash();
    if (fromLink) sessionStorage.setItem(INVITATION_KEY, fromLink);
    return fromLink ?? sessionStorage.getItem(INVITATION_KEY);
  },
  forget(): void {
    sessionStorage.removeItem(INVITATION_KEY);
  },
};
