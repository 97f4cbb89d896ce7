/** WeSendit's credential fields as a description list; the Secret Key is masked until revealed. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { StorageCredentials } from '../../../shared/credentials.ts';

const LABELS: ReadonlyArray<readonly [Exclude<keyof StorageCredentials, 'secretKey'>, string]> = [
  ['storageName', 'Storage name'],
  ['permissions', 'Permissions'],
  ['allowedIps', 'Allowed IP addresses'],
  ['serverAddress', 'S3 Server Address'],
  ['bucketName', 'S3 API Bucket Name'],
  ['accessKey', 'Access Key'],
];

export function CredentialFields({ credentials }: { readonly credentials: StorageCredentials }): JSX.Element {
  const [revealed, setRevealed] = useState(false);
  return (
    <dl class="fields">
      {LABELS.map(([field, label]) => (
        <div key={field}>
          <dt>{label}</dt>
          <dd>{credentials[field] === '' ? '—' : credentials[field]}</dd>
        </div>
      ))}
      {credentials.secretKey !== '' && (
        <div>
          <dt>Secret Key</dt>
          <dd>
            <span class="secret" data-secret={revealed ? 'shown' : 'hidden'}>
              {revealed ? credentials.secretKey : '•'.repeat(12)}
            </span>{' '}
            <button type="button" class="link" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
              {revealed ? 'Hide' : 'Reveal'}
            </button>
          </dd>
        </div>
      )}
    </dl>
  );
}
