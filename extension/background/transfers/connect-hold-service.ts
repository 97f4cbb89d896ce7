/**
 * The background side of the connect hold: a click on WeSendit's connect button stays held until
 * the bucket is known to be empty (a Fresh Start) or a verified backup of it exists. In-progress
 * multipart uploads need the user's "Connect anyway". A failed or cancelled backup keeps the
 * click held; "Retry" runs it again.
 *
 * Holds live in this worker's memory only (with the form's connection, secret included, for a
 * retry) and are forgotten {@link HOLD_TTL_MS} after their last change.
 *
 * The page cannot make the companion work for it: nothing is contacted until the user acted. A
 * click that was not the user's (a page script's `click()` or `requestSubmit()`) waits in
 * 'needs-approval', and so does a click for a bucket address the user has not seen in Connect
 * Guard yet (not previewed, backed up or approved in this browser session): the hold frame shows
 * the bucket and its address, and only "Back up and connect" there (an extension page the page
 * cannot reach) starts the check. A tab has at most one hold: a new one stops the old.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { BucketConnection } from '../../../shared/protocol/views.ts';
import type { BackupJobState, ConnectFormValues, ConnectHoldState } from '../../../shared/protocol/extension-protocol.ts';
import type { MultipartUploadsView } from '../../../shared/protocol/views.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { BackupJob, bucketView, type TransferCompanion } from './backup-service.ts';
import { connectionFromFields } from '../preview/resolve-connection-source.ts';

/** A hold nobody touched for this long is dropped (its running backup is stopped). */
export const HOLD_TTL_MS = 30 * 60 * 1000;

export const FRESH_START_REASON = 'Fresh Start: the bucket is empty, so there is nothing to back up.';

export const NOT_YOUR_CLICK_REASON =
  'A script on this page clicked Connect, not you. Connect Guard does nothing for a page on its own: if you want to connect this bucket, check it below and choose "Back up and connect".';
export const NEW_ADDRESS_REASON =
  'Connect Guard has not contacted this address for you before. Check that it is the bucket you filled in: "Back up and connect" checks it and backs it up before WeSendit connects.';

/** A bucket address as the user confirmed it: the endpoint's URL (as the SDK would call it) and the bucket. */
function addressKey(endpoint: string, bucket: string): string {
  let url = endpoint.trim().toLowerCase();
  try {
    url = parseEndpoint(endpoint).url;
  } catch {
    // An endpoint that does not parse stays as typed: it will fail as it would anyway.
  }
  return `${url}\n${bucket}`;
}

export interface ConnectHoldServiceDeps {
  readonly companion: TransferCompanion;
  /** Tells the frame that held the click that it may go through (`connectHold.released`). */
  notifyReleased(tabId: number, frameId: number, holdId: string): Promise<void>;
  /** A click went through after a verified backup that kept a sync plan: the review can be offered on `origin`. */
  onPlanKept?(connect: { readonly origin: string; readonly bucket: string }): void;
  readonly now?: () => number;
  readonly newId?: () => string;
}

interface Hold {
  state: ConnectHoldState;
  readonly tabId: number;
  readonly frameId: number;
  /** The origin of the page whose connect form was held ('' when unknown). */
  readonly origin: string;
  /** Dropped when the hold is released or forgotten. */
  connection: BucketConnection | undefined;
  controller: AbortController;
  job: BackupJob | undefined;
  touched: number;
}

function uploadsInProgress(uploads: MultipartUploadsView | undefined): boolean {
  return uploads !== undefined && uploads.supported && uploads.count > 0;
}

function uploadsText(uploads: MultipartUploadsView): string {
  const named = uploads.keys.length > 0 ? ` (${uploads.keys.slice(0, 3).join(', ')}${uploads.count > 3 ? ', …' : ''})` : '';
  return `${uploads.count} upload${uploads.count === 1 ? ' is' : 's are'} still in progress in the bucket${named}`;
}

export class ConnectHoldService {
  private readonly holds = new Map<string, Hold>();
  /** Bucket addresses the user previewed, backed up or approved in this browser session. */
  private readonly seenAddresses = new Set<string>();
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: ConnectHoldServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /**
   * A content script held a connect click: check the bucket and back it up if needed — at once
   * when the click was the user's and the address is one they have seen, else after their
   * approval. Throws MISSING_CREDENTIALS etc. when the form is incomplete.
   */
  request(form: ConnectFormValues, tabId: number, frameId: number, trusted: boolean, origin = ''): { holdId: string } {
    this.sweep();
    const connection = connectionFromFields(form);
    // At most one hold per tab: a page cannot start backups in a loop.
    for (const [otherId, other] of this.holds) {
      if (other.tabId === tabId && other.state.status !== 'released') this.forget(otherId, other);
    }
    const holdId = this.newId();
    const seen = this.seenAddresses.has(addressKey(connection.endpoint, connection.bucket));
    const approval = !trusted ? 'not-your-click' : !seen ? 'new-address' : undefined;
    const hold: Hold = {
      state:
        approval === undefined
          ? { holdId, status: 'checking', reason: 'Checking whether the bucket holds data…', bucket: bucketView(connection) }
          : { holdId, status: 'needs-approval', approval, reason: approval === 'not-your-click' ? NOT_YOUR_CLICK_REASON : NEW_ADDRESS_REASON, bucket: bucketView(connection) },
      tabId,
      frameId,
      origin,
      connection,
      controller: new AbortController(),
      job: undefined,
      touched: this.now(),
    };
    this.holds.set(holdId, hold);
    if (approval === undefined) void this.process(hold);
    return { holdId };
  }

  /** The user previewed, backed up or approved this bucket at this address from Connect Guard's own pages. */
  noteUserConnection(bucket: { readonly endpoint: string; readonly bucket: string }): void {
    this.seenAddresses.add(addressKey(bucket.endpoint, bucket.bucket));
  }

  /** "Back up and connect" in the hold frame: the user saw the bucket and its address, and approves. */
  approve(holdId: string): ConnectHoldState {
    const hold = this.find(holdId);
    if (hold.state.status !== 'needs-approval') return hold.state;
    if (hold.connection === undefined) throw new ConnectGuardError('NOT_FOUND', 'This connect hold no longer has its connection. Click WeSendit\'s Connect button again.');
    this.noteUserConnection(hold.state.bucket);
    const { approval: _approval, ...rest } = hold.state;
    hold.state = { ...rest, status: 'checking', reason: 'Checking whether the bucket holds data…' };
    hold.touched = this.now();
    void this.process(hold);
    return hold.state;
  }

  /** For the tab that asked: may its click go through? Another tab learns nothing. */
  released(holdId: string, tabId: number): { released: boolean } {
    const hold = this.find(holdId);
    return { released: hold.tabId === tabId && hold.state.status === 'released' };
  }

  private find(holdId: string): Hold {
    this.sweep();
    const hold = this.holds.get(holdId);
    if (hold === undefined) {
      throw new ConnectGuardError('NOT_FOUND', 'This connect hold is no longer known (it expired, or the browser restarted the extension). Click WeSendit\'s Connect button again.');
    }
    return hold;
  }

  state(holdId: string): ConnectHoldState {
    const hold = this.find(holdId);
    hold.touched = this.now();
    return hold.state;
  }

  cancel(holdId: string): ConnectHoldState {
    const hold = this.find(holdId);
    const { status } = hold.state;
    if (status === 'checking' || status === 'backing-up' || status === 'needs-confirmation' || status === 'needs-approval') {
      hold.job?.cancel();
      hold.controller.abort(new ConnectGuardError('CANCELLED', 'You cancelled the backup.'));
      this.update(hold, {
        status: 'cancelled',
        reason:
          status === 'needs-confirmation'
            ? 'You chose not to connect while uploads are in progress. The click stays held.'
            : status === 'needs-approval'
              ? 'You chose not to connect. The click stays held; nothing was contacted.'
              : 'You cancelled the backup. The click stays held.',
        ...(hold.job ? { backup: hold.job.state } : {}),
      });
    }
    return hold.state;
  }

  retry(holdId: string): ConnectHoldState {
    const hold = this.find(holdId);
    if (hold.state.status !== 'failed' && hold.state.status !== 'cancelled') return hold.state;
    if (hold.connection === undefined) throw new ConnectGuardError('NOT_FOUND', 'This connect hold no longer has its connection. Click WeSendit\'s Connect button again.');
    hold.controller = new AbortController();
    hold.job = undefined;
    const { backup: _backup, error: _error, multipartUploads: _uploads, ...rest } = hold.state;
    hold.state = { ...rest, status: 'checking', reason: 'Checking whether the bucket holds data…' };
    hold.touched = this.now();
    void this.process(hold);
    return hold.state;
  }

  /**
   * The user chose, in the hold frame, to let the click through without (or despite) a verified
   * backup: uploads in progress, a backup that failed or could not be verified, a cancelled one,
   * or none at all. A hold is never a dead end; the reason is kept in the hold's state.
   */
  connectAnyway(holdId: string): ConnectHoldState {
    const hold = this.find(holdId);
    const { status } = hold.state;
    if (status === 'needs-confirmation') {
      const uploads = hold.state.multipartUploads;
      this.release(hold, `You chose to connect anyway although ${uploads ? uploadsText(uploads) : 'uploads are in progress'}.`);
    } else if (status === 'failed') {
      const why = hold.state.error?.message ?? hold.state.backup?.error?.message ?? hold.state.reason;
      this.release(hold, `You chose to connect without a verified backup: ${why}`, hold.state.backup);
    } else if (status === 'cancelled' || status === 'needs-approval') {
      hold.job?.cancel();
      hold.controller.abort(new ConnectGuardError('CANCELLED', 'Connecting without a backup.'));
      this.release(hold, 'You chose to connect without a backup.');
    } else if (status !== 'released') {
      throw new ConnectGuardError('INVALID_INPUT', 'The backup is still running. Cancel it first if you want to connect without it.');
    }
    return hold.state;
  }

  /** A click in this tab went through after a verified backup: its sync can be reviewed. */
  connectedInTab(tabId: number): boolean {
    this.sweep();
    for (const hold of this.holds.values()) {
      if (hold.tabId === tabId && hold.state.status === 'released' && hold.state.backup?.status === 'done') return true;
    }
    return false;
  }

  /** The tab is gone: its holds stop. */
  dropTab(tabId: number): void {
    for (const [holdId, hold] of this.holds) {
      if (hold.tabId === tabId) this.forget(holdId, hold);
    }
  }

  private async process(hold: Hold): Promise<void> {
    const { signal } = hold.controller;
    const connection = hold.connection;
    if (connection === undefined) return;
    let uploads: MultipartUploadsView;
    try {
      const probe = await this.deps.companion.probe(connection, { signal });
      if (signal.aborted) return;
      uploads = probe.multipartUploads;
      if (probe.objects === 0 && !probe.hasMore) {
        if (uploadsInProgress(uploads)) {
          this.update(hold, { status: 'needs-confirmation', reason: `The bucket is empty, but ${uploadsText(uploads)}. Connect only when they are finished, or connect anyway.`, multipartUploads: uploads });
        } else {
          this.release(hold, FRESH_START_REASON);
        }
        return;
      }
    } catch (error) {
      if (!signal.aborted) this.update(hold, { status: 'failed', reason: 'Connect Guard could not check the bucket, so the click stays held.', error: toErrorData(error) });
      return;
    }
    const job = new BackupJob(this.deps.companion, connection, this.newId(), new Date(this.now()).toISOString(), (backup) => {
      if (hold.job === job && hold.state.status === 'backing-up') this.update(hold, { backup });
    });
    hold.job = job;
    this.update(hold, { status: 'backing-up', reason: 'The bucket holds data: backing it up before WeSendit connects.', backup: job.state });
    const backup = await job.finished;
    if (hold.job !== job || hold.state.status !== 'backing-up') return;
    if (backup.status === 'done') {
      const found = backup.result?.multipartUploads;
      const pending = uploadsInProgress(found) ? found : uploadsInProgress(uploads) ? uploads : undefined;
      if (pending !== undefined) {
        this.update(hold, { status: 'needs-confirmation', reason: `The backup is verified, but ${uploadsText(pending)}: their files are not in the backup. Connect when they are finished, or connect anyway.`, backup, multipartUploads: pending });
      } else {
        this.release(hold, 'The backup is verified.', backup);
      }
    } else if (backup.status === 'failed') {
      this.update(hold, { status: 'failed', reason: 'The backup failed, so the click stays held.', backup, ...(backup.error ? { error: backup.error } : {}) });
    }
  }

  private release(hold: Hold, reason: string, backup?: BackupJobState): void {
    this.update(hold, { status: 'released', reason, ...(backup ? { backup } : {}) });
    hold.connection = undefined;
    if (backup?.status === 'done' && backup.result?.plan !== undefined && hold.origin !== '') this.deps.onPlanKept?.({ origin: hold.origin, bucket: hold.state.bucket.bucket });
    this.deps.notifyReleased(hold.tabId, hold.frameId, hold.state.holdId).catch(() => {
      // The tab may be reloading; its content feature asks `connectHold.state` when it comes back.
    });
  }

  private update(hold: Hold, change: Partial<ConnectHoldState>): void {
    hold.state = { ...hold.state, ...change };
    hold.touched = this.now();
  }

  private sweep(): void {
    const limit = this.now() - HOLD_TTL_MS;
    for (const [holdId, hold] of this.holds) if (hold.touched < limit) this.forget(holdId, hold);
  }

  private forget(holdId: string, hold: Hold): void {
    hold.job?.cancel();
    hold.controller.abort(new ConnectGuardError('CANCELLED', 'The hold expired.'));
    hold.connection = undefined;
    this.holds.delete(holdId);
  }
}
