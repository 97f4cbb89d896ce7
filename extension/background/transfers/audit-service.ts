/**
 * "Review sync result": the companion compares the plan saved beside a backup (what the preview
 * predicted when the user connected) with the bucket now, and the background keeps the findings
 * for the popup — every key that is not as predicted, with the restore selection (keys lost or
 * overwritten unexpectedly) and the keys that had not arrived, which "Check again" re-lists alone.
 *
 * Only the user's action in an extension page starts a review (routes.ts: `from: 'page'`). A
 * review keeps its connection source, not the secret: "Check again" resolves it again.
 */
import { ConnectGuardError, toErrorData, type ErrorData } from '../../../shared/errors.ts';
import type { AuditRowView, AuditRunData, AuditRunResult } from '../../../shared/protocol/companion-protocol.ts';
import { MAX_AUDIT_FINDINGS, type AuditView, type PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import type { CompanionClient } from '../companion/companion-client.ts';
import type { ResolvedConnection } from '../preview/resolve-connection-source.ts';
import { TabListing, askTabToList, type CollectListing, type ListingBatch } from '../preview/tab-listing.ts';
import type { TransferCompanion } from './backup-service.ts';

export interface AuditServiceDeps {
  readonly companion: TransferCompanion;
  resolve(source: PreviewConnectionSource): Promise<ResolvedConnection>;
  /** Reading WeSendit's file browser in a tab: the companion port its listing is staged on, and the tab's answer. */
  readonly tabListing?: { readonly companion: CompanionClient; readonly collect: CollectListing; readonly idleMs?: number };
  /** A review found everything as predicted: the dock need not offer it for this bucket any more. */
  onAsPredicted?(bucket: string): void;
  readonly newId?: () => string;
}

/** WeSendit's side of a review: a manifest file, or the file browser in a tab (the dock's). */
export type AuditWesenditSource = { readonly manifest?: string | undefined } | { readonly tabId: number };

interface AuditRun {
  view: AuditView;
  readonly source: PreviewConnectionSource;
  controller: AbortController;
  listing?: TabListing;
}

function add(a: { objects: number; bytes: number }, b: { objects: number; bytes: number }): { objects: number; bytes: number } {
  return { objects: a.objects + b.objects, bytes: a.bytes + b.bytes };
}

/** Folds a "check again" of the pending keys into the first review's result. */
function merge(first: AuditRunResult, again: AuditRunResult, rechecked: number): AuditRunResult {
  const stillPending = again.notYetArrived;
  const resolved = { objects: rechecked - stillPending.objects - again.unexpected.objects, bytes: 0 };
  const unexpected = add(first.unexpected, again.unexpected);
  const notYetArrived = stillPending;
  return {
    ...first,
    asPredicted: add(first.asPredicted, { objects: Math.max(0, resolved.objects), bytes: again.asPredicted.bytes }),
    notYetArrived,
    unexpected,
    restore: add(first.restore, again.restore),
    contentChecked: first.contentChecked + again.contentChecked,
    verdict: unexpected.objects > 0 ? 'unexpected' : notYetArrived.objects > 0 ? 'not-yet-arrived' : 'as-predicted',
  };
}

export class AuditService {
  private current: AuditRun | undefined;
  private readonly newId: () => string;

  constructor(private readonly deps: AuditServiceDeps) {
    this.newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /** Starts the review and returns its first state; VAULT_LOCKED etc. when the keys cannot be resolved. */
  async start(source: PreviewConnectionSource, folder: string | undefined, wesenditSource: AuditWesenditSource = {}): Promise<AuditView> {
    const { connection } = await this.deps.resolve(source);
    const tabListing = this.deps.tabListing;
    if ('tabId' in wesenditSource && tabListing === undefined) throw new ConnectGuardError('INVALID_INPUT', 'This review cannot read WeSendit\'s file browser. Pick a manifest file instead.');
    if (this.current) this.stop(this.current, new ConnectGuardError('CANCELLED', 'A new review replaced this one.'));
    const manifest = 'manifest' in wesenditSource ? wesenditSource.manifest : undefined;
    const run: AuditRun = {
      view: {
        auditId: this.newId(),
        status: 'running',
        folder: folder ?? '',
        bucket: connection.bucket,
        findings: [],
        pendingKeys: [],
        restoreKeys: [],
        ...('tabId' in wesenditSource ? { wesendit: { source: 'tab' as const, objects: 0 } } : manifest !== undefined ? { wesendit: { source: 'manifest' as const, objects: 0 } } : {}),
      },
      source,
      controller: new AbortController(),
    };
    this.current = run;
    const first = run.view;
    const findings: AuditRowView[] = [];
    const pending: string[] = [];
    const restore: string[] = [];
    let wesendit: AuditRunData['wesendit'];
    if ('tabId' in wesenditSource && tabListing !== undefined) {
      const listingId = this.newId();
      // An open upload on the companion's port: the tab's batches are staged there as they come.
      await tabListing.companion.request('inventory.upload', { uploadId: listingId, entries: [], done: false }, { signal: run.controller.signal, timeoutMs: 30_000 });
      run.listing = new TabListing(listingId, wesenditSource.tabId, {
        companion: tabListing.companion,
        signal: run.controller.signal,
        ...(tabListing.idleMs !== undefined ? { idleMs: tabListing.idleMs } : {}),
        onFail: (error) => this.fail(run, error),
        onEntries: (count) => {
          if (this.isCurrent(run) && run.view.wesendit) run.view = { ...run.view, wesendit: { ...run.view.wesendit, objects: run.view.wesendit.objects + count } };
        },
      });
      wesendit = { kind: 'upload', uploadId: listingId };
    } else if (manifest !== undefined) {
      wesendit = { kind: 'manifest', path: manifest };
    }
    const listing = run.listing;
    if (listing !== undefined && tabListing !== undefined) {
      void askTabToList(listing, tabListing.collect).then((failed) => {
        if (failed) this.fail(run, failed);
      });
    }
    void this.deps.companion
      .audit(
        { connection, ...(folder !== undefined ? { folder } : {}), ...(wesendit !== undefined ? { wesendit } : {}) },
        {
          signal: run.controller.signal,
          onProgress: (progress) => {
            if (this.isCurrent(run)) run.view = { ...run.view, progress };
          },
          onRows: (rows) => {
            for (const row of rows) {
              if (findings.length < MAX_AUDIT_FINDINGS) findings.push(row);
              if (row.status === 'not-yet-arrived') pending.push(row.key);
              if (row.restore !== undefined) restore.push(row.key);
            }
          },
        },
      )
      .then(
        (result) => {
          run.listing?.end();
          if (!this.isCurrent(run)) return;
          const { progress: _progress, ...rest } = run.view;
          run.view = { ...rest, status: 'done', folder: result.folder, bucket: result.bucket, result, findings, pendingKeys: pending, restoreKeys: restore };
          if (result.verdict === 'as-predicted') this.deps.onAsPredicted?.(result.bucket);
        },
        (error: unknown) => this.fail(run, toErrorData(error)),
      );
    return first;
  }

  /** Is `listingId` the listing a running review asked its tab for? */
  hasListing(listingId: string): boolean {
    return this.current?.listing?.listingId === listingId;
  }

  /** A slice of WeSendit's file list from the tab the review asked (tab-listing.ts checks the tab). */
  async acceptListingBatch(tabId: number, batch: ListingBatch): Promise<{ accepted: number }> {
    const listing = this.current?.listing;
    if (listing === undefined || listing.listingId !== batch.listingId) throw new ConnectGuardError('NOT_FOUND', 'No review is waiting for this WeSendit listing (it was cancelled or has finished). Stop listing.');
    return listing.accept(tabId, batch);
  }

  /** The tab whose file browser a running review reads is gone: the review fails, saying so. */
  dropTab(tabId: number): void {
    const run = this.current;
    if (run?.listing && run.listing.tabId === tabId && !run.listing.done) {
      this.fail(run, { code: 'CANCELLED', message: 'The WeSendit tab was closed or left the storage\'s files before its file list was read. Review again.' });
    }
  }

  /** The review failed (the companion, or WeSendit's side): the companion's request is stopped too. */
  private fail(run: AuditRun, error: ErrorData): void {
    if (!this.isCurrent(run)) return;
    run.view = { ...run.view, status: 'failed', error };
    this.stop(run, new ConnectGuardError(error.code, error.message));
  }

  private stop(run: AuditRun, reason: ConnectGuardError): void {
    run.listing?.end();
    run.controller.abort(reason);
  }

  state(auditId: string): AuditView {
    return this.get(auditId).view;
  }

  /** Re-lists only the keys that had not arrived and folds the answer into the review. */
  async checkAgain(auditId: string): Promise<AuditView> {
    const run = this.get(auditId);
    const before = run.view;
    if (before.status !== 'done' || before.result === undefined) throw new ConnectGuardError('INVALID_INPUT', 'The review is still running (or failed). Wait for it, or review again.');
    if (before.pendingKeys.length === 0) return before;
    const { connection } = await this.deps.resolve(run.source);
    run.controller = new AbortController();
    const keys = before.pendingKeys;
    const recheckedKeys = new Set(keys);
    run.view = { ...before, status: 'running', rechecked: keys.length };
    const first = run.view;
    const fresh: AuditRowView[] = [];
    void this.deps.companion
      .audit(
        { connection, folder: before.folder, onlyKeys: keys },
        {
          signal: run.controller.signal,
          onProgress: (progress) => {
            if (this.isCurrent(run)) run.view = { ...run.view, progress };
          },
          onRows: (rows) => {
            fresh.push(...rows);
          },
        },
      )
      .then(
        (again) => {
          if (!this.isCurrent(run) || before.result === undefined) return;
          const findings = [...before.findings.filter((row) => !recheckedKeys.has(row.key)), ...fresh].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          const { progress: _progress, ...rest } = run.view;
          run.view = {
            ...rest,
            status: 'done',
            result: merge(before.result, again, keys.length),
            findings,
            pendingKeys: fresh.filter((row) => row.status === 'not-yet-arrived').map((row) => row.key),
            restoreKeys: [...before.restoreKeys, ...fresh.flatMap((row) => (row.restore ? [row.key] : []))],
          };
          if (run.view.result?.verdict === 'as-predicted') this.deps.onAsPredicted?.(run.view.bucket);
        },
        (error: unknown) => {
          if (this.isCurrent(run)) run.view = { ...run.view, status: 'failed', error: toErrorData(error) };
        },
      );
    return first;
  }

  private isCurrent(run: AuditRun): boolean {
    return this.current === run && run.view.status === 'running';
  }

  private get(auditId: string): AuditRun {
    const run = this.current;
    if (run === undefined || run.view.auditId !== auditId) {
      throw new ConnectGuardError('NOT_FOUND', 'This review is no longer in memory (a newer one replaced it, or the browser restarted the extension). Click "Review sync result" again.');
    }
    return run;
  }
}
