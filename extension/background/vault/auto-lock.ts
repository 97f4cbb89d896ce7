/**
 * Auto-lock, as a careful password manager does it: the vault locks after `autoLockMinutes`
 * without use of Connect Guard's pages (an alarm at last use + the limit, which survives a
 * service-worker restart), as soon as the system reports the user idle for that long or the
 * screen locked (`chrome.idle`), and on browser restart (the key lives only in memory and in
 * `storage.session`, which the browser clears when it closes).
 */

export const AUTO_LOCK_ALARM = 'connect-guard.auto-lock';

/** `chrome.idle` reports idle no sooner than 15 s. */
const MIN_IDLE_SECONDS = 15;

export type IdleState = 'active' | 'idle' | 'locked';

export interface AutoLockDeps {
  now(): number;
  autoLockMinutes(): Promise<number>;
  isUnlocked(): boolean;
  lock(): Promise<void>;
  saveLastUse(time: number): Promise<void>;
  findLastUse(): Promise<number | undefined>;
  scheduleAlarm(name: string, when: number): Promise<void>;
  clearAlarm(name: string): Promise<void>;
  setIdleDetectionSeconds(seconds: number): void;
}

export class AutoLock {
  constructor(private readonly deps: AutoLockDeps) {}

  /** Applies the configured minutes to idle detection and the pending alarm. */
  async configure(): Promise<void> {
    const minutes = await this.deps.autoLockMinutes();
    this.deps.setIdleDetectionSeconds(Math.max(MIN_IDLE_SECONDS, minutes * 60));
    const last = await this.deps.findLastUse();
    if (this.deps.isUnlocked() && last !== undefined) await this.deps.scheduleAlarm(AUTO_LOCK_ALARM, last + minutes * 60_000);
  }

  /** The user used the vault: restart the countdown. */
  async noteUse(): Promise<void> {
    if (!this.deps.isUnlocked()) return;
    const now = this.deps.now();
    await this.deps.saveLastUse(now);
    await this.deps.scheduleAlarm(AUTO_LOCK_ALARM, now + (await this.deps.autoLockMinutes()) * 60_000);
  }

  /** True when a key kept from before a worker restart is still within its idle limit. */
  async mayRestore(): Promise<boolean> {
    const last = await this.deps.findLastUse();
    if (last === undefined) return true;
    return this.deps.now() - last < (await this.deps.autoLockMinutes()) * 60_000;
  }

  async onAlarm(name: string): Promise<void> {
    if (name !== AUTO_LOCK_ALARM || !this.deps.isUnlocked()) return;
    const minutes = await this.deps.autoLockMinutes();
    const last = (await this.deps.findLastUse()) ?? 0;
    const due = last + minutes * 60_000;
    // Alarms may fire up to a minute late or, after a settings change, early: check the clock.
    if (this.deps.now() >= due) await this.lockNow();
    else await this.deps.scheduleAlarm(AUTO_LOCK_ALARM, due);
  }

  async onIdleStateChanged(state: IdleState): Promise<void> {
    if (state === 'idle' || state === 'locked') await this.lockNow();
  }

  async lockNow(): Promise<void> {
    await this.deps.clearAlarm(AUTO_LOCK_ALARM);
    if (this.deps.isUnlocked()) await this.deps.lock();
  }
}
