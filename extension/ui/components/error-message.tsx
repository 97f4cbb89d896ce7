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

/**
 * The outcome of an action: a confirmation announced politely, or the error in plain words.
 * `tone` picks the confirmation's style (`ok` for a completed change, `hint` for guidance).
 */
export function OutcomeMessages({
  note,
  error,
  tone = 'ok',
}: {
  readonly note: string | undefined;
  readonly error: string | undefined;
  readonly tone?: 'ok' | 'hint';
}): JSX.Element {
  return (
    <>
      {note !== undefined && (
        <p class={tone} role="status">
          {note}
        </p>
      )}
      <ErrorMessage message={error} />
    </>
  );
}

/** The message of anything thrown, for display. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
