/** The strength hint beside a new passphrase (estimatePassphraseStrength from the vault format). */
import type { JSX } from 'preact';
import { estimatePassphraseStrength } from '../../../shared/vault-format/passphrase-strength.ts';

const LABELS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

export function passphraseStrengthHint(passphrase: string): JSX.Element | string {
  if (passphrase === '') return 'Use at least 10 characters; a few unrelated words work well.';
  const { score, hint } = estimatePassphraseStrength(passphrase);
  return (
    <span data-strength={score}>
      <strong>{LABELS[score]}</strong>: {hint}
    </span>
  );
}
