/** An error in plain words, announced to screen readers as it appears. */
import type { JSX } from 'preact';

export function ErrorMessage({ message }: { readonly message: string | undefined }): JSX.Element | null {
  if (message === undefined) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** The message of anything thrown, for display. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
