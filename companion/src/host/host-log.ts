import type { Writable } from 'node:stream';

/** Field names whose values never reach a log, at any depth. */
const SECRET_FIELD = /secret|password|passphrase|passwd|token|credential|authorization|session/i;

/** A copy of `value` with every field named like a secret replaced by "[redacted]". */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => redactSecrets(item, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) copy[name] = SECRET_FIELD.test(name) ? '[redacted]' : redactSecrets(field, depth + 1);
  return copy;
}

/**
 * The host's log: one line per event on stderr (Chromium passes a host's stderr to its own log).
 * Never stdout: that is the message channel. Fields are redacted before they are formatted.
 */
export class HostLog {
  constructor(private readonly stream: Writable | undefined) {}

  write(event: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (!this.stream) return;
    const redacted = redactSecrets(fields);
    const detail = typeof redacted === 'object' && redacted !== null && Object.keys(redacted).length > 0 ? ` ${JSON.stringify(redacted)}` : '';
    this.stream.write(`connect-guard host: ${event}${detail}\n`);
  }
}
