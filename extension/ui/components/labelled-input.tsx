/** A text or password input with a real `<label for>`, so its accessible name is exactly `label`. */
import type { JSX } from 'preact';

export interface LabelledInputProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly type?: 'text' | 'password' | 'number';
  readonly autoComplete?: string;
  readonly hint?: JSX.Element | string;
  readonly required?: boolean;
  readonly autoFocus?: boolean;
}

export function LabelledInput(props: LabelledInputProps): JSX.Element {
  const hintId = props.hint === undefined ? undefined : `${props.id}-hint`;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete ?? 'off'}
        required={props.required}
        autoFocus={props.autoFocus}
        aria-describedby={hintId}
        spellcheck={false}
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
      {hintId !== undefined && (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}
