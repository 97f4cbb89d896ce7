/**
 * WeSendit connect forms the content feature read (provider, endpoint or region, bucket, the
 * bucket's key pair), kept in the background's memory only: never in `chrome.storage`, never on
 * disk. A form expires after 30 minutes; a service-worker restart forgets them all (the user asks
 * for the preview beside the form again).
 */
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { ConnectFormSummary, ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';

export const CONNECT_FORM_TTL_MS = 30 * 60_000;
/** Forms kept at once; the oldest goes first. */
export const MAX_CONNECT_FORMS = 20;

export interface ConnectFormRecord {
  readonly formId: string;
  readonly values: ConnectFormValues;
  readonly origin: string;
  readonly tabId: number;
  readonly frameId: number;
  readonly createdAt: number;
}

/** What extension pages see: everything but the secret. */
export function summarizeConnectForm(record: ConnectFormRecord): ConnectFormSummary {
  const { values } = record;
  return {
    formId: record.formId,
    provider: values.provider,
    endpoint: values.endpoint,
    region: values.region,
    bucket: values.bucket,
    accessKey: values.accessKey,
    hasSecret: values.secretKey !== '',
    origin: record.origin,
    tabId: record.tabId,
  };
}

export class ConnectFormRegistry {
  private readonly forms = new Map<string, ConnectFormRecord>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /**
   * Keeps a form's values. The same tab and frame sending again replaces its earlier form (the
   * user edited it), so one form never leaves stale copies of a secret behind.
   */
  add(input: Omit<ConnectFormRecord, 'formId' | 'createdAt'>): ConnectFormRecord {
    this.prune();
    for (const [id, record] of this.forms) {
      if (record.tabId === input.tabId && record.frameId === input.frameId) this.forms.delete(id);
    }
    const record: ConnectFormRecord = { ...input, formId: this.newId(), createdAt: this.now() };
    this.forms.set(record.formId, record);
    while (this.forms.size > MAX_CONNECT_FORMS) {
      const oldest = this.forms.keys().next();
      if (oldest.done) break;
      this.forms.delete(oldest.value);
    }
    return record;
  }

  find(formId: string): ConnectFormRecord | undefined {
    this.prune();
    return this.forms.get(formId);
  }

  /** Like `find`, but throws NOT_FOUND saying what to do. */
  get(formId: string): ConnectFormRecord {
    const record = this.find(formId);
    if (!record) {
      throw new ConnectGuardError(
        'NOT_FOUND',
        'This connect form is no longer known (older than 30 minutes, or the browser restarted the extension). Click "Preview connect" beside WeSendit\'s connect form again.',
      );
    }
    return record;
  }

  /** The most recently read form, if any. */
  latest(): ConnectFormRecord | undefined {
    this.prune();
    let latest: ConnectFormRecord | undefined;
    for (const record of this.forms.values()) if (latest === undefined || record.createdAt >= latest.createdAt) latest = record;
    return latest;
  }

  /** Forgets the forms of a closed tab. */
  dropTab(tabId: number): void {
    for (const [id, record] of this.forms) if (record.tabId === tabId) this.forms.delete(id);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, record] of this.forms) if (now - record.createdAt > CONNECT_FORM_TTL_MS) this.forms.delete(id);
  }
}
