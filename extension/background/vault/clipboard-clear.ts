/**
 * Copying a secret puts it on the system clipboard, where any program can read it. After
 * `clipboardSeconds` the clipboard is cleared, but only if it still holds that secret (the user
 * may have copied something else since). Only a SHA-256 hash of the secret is kept for the check.
 *
 * Two triggers: a timer while the service worker lives, and an alarm that wakes the worker if it
 * was stopped meanwhile. Chromium fires alarms no sooner than 30 s after creation, so with a
 * shorter setting and a worker stopped early the clear happens at 30 s. If the browser itself is
 * closed before then, nothing can clear the clipboard; the popup says how long it stays.
 */

export const CLIPBOARD_ALARM = 'connect-guard.clipboard-clear';

export interface ClipboardPort {
  write(text: string): Promise<void>;
  read(): Promise<string>;
}

export interface PendingClear {
  readonly hash: string;
  readonly clearAt: number;
}

export interface ClipboardClearDeps {
  readonly clipboard: ClipboardPort;
  now(): number;
  savePending(pending: PendingClear | undefined): Promise<void>;
  findPending(): Promise<PendingClear | undefined>;
  scheduleAlarm(name: string, when: number): Promise<void>;
  clearAlarm(name: string): Promise<void>;
  setTimer(callback: () => void, ms: number): void;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let out = '';
  for (const byte of digest) out += byte.toString(16).padStart(2, '0');
  return out;
}

export class ClipboardClear {
  constructor(private readonly deps: ClipboardClearDeps) {}

  /** Writes `secret` to the clipboard and schedules its removal. */
  async copy(secret: string, seconds: number): Promise<void> {
    const hash = await sha256Hex(secret);
    await this.deps.clipboard.write(secret);
    const clearAt = this.deps.now() + seconds * 1000;
    await this.deps.savePending({ hash, clearAt });
    await this.deps.scheduleAlarm(CLIPBOARD_ALARM, clearAt);
    this.deps.setTimer(() => void this.clearIfDue(), seconds * 1000);
  }

  async onAlarm(name: string): Promise<void> {
    if (name === CLIPBOARD_ALARM) await this.clearIfDue();
  }

  /** Clears the clipboard if the copy is due and the clipboard still holds the secret. */
  async clearIfDue(): Promise<'cleared' | 'changed' | 'not-due' | 'nothing'> {
    const pending = await this.deps.findPending();
    if (!pending) return 'nothing';
    if (this.deps.now() < pending.clearAt - 250) return 'not-due';
    const current = await this.deps.clipboard.read();
    const outcome = (await sha256Hex(current)) === pending.hash ? 'cleared' : 'changed';
    if (outcome === 'cleared') await this.deps.clipboard.write('');
    // Forgotten only once done, so a failed attempt is retried by the alarm or the next start.
    await this.deps.savePending(undefined);
    await this.deps.clearAlarm(CLIPBOARD_ALARM);
    return outcome;
  }
}
