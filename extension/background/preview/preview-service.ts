/**
 * Runs a pre-connect preview in the background: the bucket connection is resolved in memory,
 * the WeSendit side comes from a tab's file browser (streamed in as `listing.batch` requests and
 * forwarded to the companion while it already lists the bucket), a manifest, a local folder or
 * nothing; the companion's rows land in a compact in-memory store the popup pages through.
 *
 * The secret lives in one local variable of the run and in the companion's request; it is never
 * part of a preview's state, never stored, never logged, and dropped when the run ends. The
 * latest preview (state and rows, no secret) is kept in an archive (preview-archive.ts), so it is
 * still there when the popup reopens after the browser stopped an idle worker.
 */
import { ConnectGuardError, toErrorData, type ConnectGuardErrorCode, type ErrorData } from '../../../shared/errors.ts';
import { COMPANION_PROTOCOL_VERSION, type WesenditSource } from '../../../shared/protocol/companion-protocol.ts';
import type { BucketConnection, DiffPreviewSummary, DoctorReport, PreviewProgress } from '../../../shared/protocol/views.ts';
import type { ConnectAdvice, PreviewConnectionSource, PreviewRowPage, PreviewRowQuery, PreviewState, PreviewWesenditSource } from '../../../shared/protocol/extension-protocol.ts';
import type { CompanionClient } from '../companion/companion-client.ts';
import type { ResolvedConnection } from './resolve-connection-source.ts';
import type { PreviewArchive } from './preview-archive.ts';
import { reportPart, type ReportPart } from './preview-report.ts';
import { PreviewRowStore } from './preview-rows.ts';
import { TabListing, askTabToList, type CollectListing, type ListingBatch } from './tab-listing.ts';

export interface PreviewServiceDeps {
  readonly companion: CompanionClient;
  resolve(source: PreviewConnectionSource): Promise<ResolvedConnection>;
  /** Sends `listing.collect` to the tab's top frame; resolves with its answer. */
  readonly collectListing: CollectListing;
  readonly now?: () => number;
  readonly newId?: () => string;
  /** The companion's limit for one preview (default 6 hours: a million-object bucket over a slow link). */
  readonly previewTimeoutMs?: number;
  /** A tab that sends nothing for this long has stopped listing (default 2 minutes). */
  readonly listingIdleMs?: number;
  /** Keeps the latest preview across worker restarts; none: memory only. */
  readonly archive?: PreviewArchive;
}

/** What a preview that was running when the worker stopped says when it comes back. */
export const INTERRUPTED_MESSAGE = 'The browser restarted Connect Guard\'s background while this preview ran, so its result is incomplete. Run "Preview connect" again.';

/** Failures of the bucket connection itself, which the doctor can explain in plain words. */
const CONNECTION_FAILURES: ReadonlySet<ConnectGuardErrorCode> = new Set<ConnectGuardErrorCode>([
  'WRONG_ACCESS_KEY',
  'WRONG_SECRET_KEY',
  'NO_SUCH_BUCKET',
  'IP_NOT_ALLOWED',
  'ACCESS_DENIED',
  'ENDPOINT_UNREACHABLE',
  'TLS_ERROR',
  'CLOCK_SKEW',
  'INVALID_ENDPOINT',
  'INVALID_BUCKET_NAME',
  'TIMEOUT',
  'INTERNAL',
]);

interface Run {
  state: PreviewState;
  readonly store: PreviewRowStore;
  readonly controller: AbortController;
  listing: TabListing | undefined;
  /** Where the preview failed on the WeSendit side (not the bucket's): no doctor for that. */
  wesenditError: ErrorData | undefined;
  /** Bucket objects listed by an earlier preview of the same bucket, for the ETA. */
  readonly expectedObjects: number | undefined;
  readonly bucketKey: string;
}

function adviceFor(summary: DiffPreviewSummary): ConnectAdvice {
  return summary.bucketObjects === 0 ? 'fresh-start' : 'integrate';
}

function isFinishedStatus(status: PreviewState['status']): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled';
}

/** A run rebuilt from the archive: finished (or failed as interrupted), nothing left to do. */
function archivedRun(state: PreviewState, store: PreviewRowStore): Run {
  return { state, store, controller: new AbortController(), listing: undefined, wesenditError: undefined, expectedObjects: undefined, bucketKey: '' };
}

export class PreviewService {
  private current: Run | undefined;
  private loading: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly knownSizes = new Map<string, number>();
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: PreviewServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /**
   * Starts a preview and returns its first state; the work goes on in the background. Throws
   * (VAULT_LOCKED, NOT_FOUND, MISSING_CREDENTIALS …) when the connection cannot be resolved, so
   * the popup can ask for what is missing. A running preview is cancelled: one at a time.
   */
  async start(connectionSource: PreviewConnectionSource, wesenditSource: PreviewWesenditSource, prefix: string | undefined): Promise<PreviewState> {
    await this.loaded();
    const resolved = await this.deps.resolve(connectionSource);
    let connection: BucketConnection | undefined = resolved.connection;
    let tabId: number | undefined;
    if (wesenditSource.kind === 'tab') {
      tabId = wesenditSource.tabId ?? resolved.formTabId;
      if (tabId === undefined) {
        throw new ConnectGuardError('INVALID_INPUT', 'Which tab shows the WeSendit storage? Open its file browser and start the preview from there, or pick a manifest file.');
      }
    }
    if (this.current) this.stop(this.current);
    const previewId = this.newId();
    const bucketKey = `${connection.endpoint}\n${connection.bucket}\n${prefix ?? ''}`;
    const run: Run = {
      state: {
        previewId,
        status: tabId === undefined ? 'listing' : 'reading-wesendit',
        startedAt: new Date(this.now()).toISOString(),
        bucket: { endpoint: connection.endpoint, bucket: connection.bucket, accessKeyId: connection.accessKeyId },
        wesenditObjects: 0,
      },
      store: new PreviewRowStore(),
      controller: new AbortController(),
      listing: undefined,
      wesenditError: undefined,
      expectedObjects: this.knownSizes.get(bucketKey),
      bucketKey,
    };
    this.current = run;
    this.archive(run);
    const first = run.state;
    const take = (): BucketConnection => {
      // The run reads the connection once per companion request; nothing else keeps it.
      if (connection === undefined) throw new ConnectGuardError('CANCELLED', 'The preview ended.');
      return connection;
    };
    void this.execute(run, take, resolved.allowedIps, wesenditSource, tabId, prefix).finally(() => {
      connection = undefined;
    });
    return first;
  }

  async state(previewId: string): Promise<PreviewState> {
    return (await this.get(previewId)).state;
  }

  async latest(): Promise<PreviewState | null> {
    await this.loaded();
    return this.current?.state ?? null;
  }

  async cancel(previewId: string): Promise<PreviewState> {
    const run = await this.get(previewId);
    this.stop(run);
    return run.state;
  }

  private stop(run: Run): void {
    if (this.isFinished(run.state)) return;
    this.update(run, { status: 'cancelled' });
    this.endListing(run);
    run.controller.abort(new ConnectGuardError('CANCELLED', 'Cancelled.'));
    this.archive(run);
  }

  async rows(query: PreviewRowQuery): Promise<PreviewRowPage> {
    const run = await this.get(query.previewId);
    return run.store.query(
      { ...(query.classes ? { classes: query.classes } : {}), ...(query.search !== undefined ? { search: query.search } : {}), ...(query.atRisk ? { atRisk: query.atRisk } : {}) },
      query.offset,
      query.limit,
    );
  }

  /** One part of the report; part 0 of a CSV starts with the header, the last NDJSON part ends with the totals. */
  async exportPart(previewId: string, format: 'csv' | 'ndjson', part: number): Promise<ReportPart> {
    const run = await this.get(previewId);
    return reportPart(run.state, run.store, format, part);
  }

  /** A slice of a WeSendit listing from the tab that was asked for it (tab-listing.ts). */
  async acceptListingBatch(tabId: number, batch: ListingBatch): Promise<{ accepted: number }> {
    const run = this.current;
    if (!run?.listing) throw new ConnectGuardError('NOT_FOUND', 'No preview is waiting for this WeSendit listing (it was cancelled or has finished). Stop listing.');
    const accepted = await run.listing.accept(tabId, batch);
    if (batch.done && run.state.status === 'reading-wesendit') this.update(run, { status: 'listing' });
    return accepted;
  }

  /** The tab that listed WeSendit's files is gone: a preview waiting for it fails. */
  dropTab(tabId: number): void {
    const run = this.current;
    if (run?.listing && run.listing.tabId === tabId && !run.listing.done) {
      this.failWesendit(run, { code: 'CANCELLED', message: 'The WeSendit tab was closed or reloaded before its file list was read. Start the preview again.' });
    }
  }

  private async execute(
    run: Run,
    connection: () => BucketConnection,
    allowedIps: string | undefined,
    source: PreviewWesenditSource,
    tabId: number | undefined,
    prefix: string | undefined,
  ): Promise<void> {
    const { signal } = run.controller;
    const { companion } = this.deps;
    try {
      const ping = await companion.request('ping', {}, { timeoutMs: 15_000, signal });
      if (ping.protocolVersion < COMPANION_PROTOCOL_VERSION) {
        throw new ConnectGuardError('COMPANION_UNAVAILABLE', `The installed companion (${ping.version}) is older than this extension. Update it ("npm install -g connect-guard", then "npx connect-guard install-host").`);
      }
      let wesendit: WesenditSource;
      if (source.kind === 'tab' && tabId !== undefined) {
        const listingId = this.newId();
        // An open upload: the companion lists the bucket while the tab's batches arrive.
        await companion.request('inventory.upload', { uploadId: listingId, entries: [], done: false }, { signal, timeoutMs: 30_000 });
        run.listing = new TabListing(listingId, tabId, {
          companion,
          signal,
          ...(this.deps.listingIdleMs !== undefined ? { idleMs: this.deps.listingIdleMs } : {}),
          onFail: (error) => this.failWesendit(run, error),
          onEntries: (count) => this.update(run, { wesenditObjects: run.state.wesenditObjects + count }),
        });
        wesendit = { kind: 'upload', uploadId: listingId };
      } else if (source.kind === 'manifest' || source.kind === 'folder') {
        wesendit = { kind: source.kind, path: source.path };
      } else {
        wesendit = { kind: 'inline', entries: [] };
      }
      const preview = companion.request(
        'diff.preview',
        { connection: connection(), wesendit, includeRows: true, ...(prefix ? { prefix } : {}) },
        {
          signal,
          timeoutMs: this.deps.previewTimeoutMs ?? 6 * 60 * 60 * 1000,
          onProgress: (progress) => this.onProgress(run, progress),
          onChunk: (rows) => {
            run.store.append(rows);
            if (run.state.status === 'loading-rows') this.update(run, { rowsLoaded: run.store.length });
          },
        },
      );
      // Handled below; the listing request must not leave it unobserved meanwhile.
      preview.catch(() => undefined);
      if (run.listing) await this.startListing(run, run.listing);
      const summary = await preview;
      this.knownSizes.set(run.bucketKey, summary.bucketObjects);
      run.store.prepare();
      this.update(run, { status: 'done', summary, advice: adviceFor(summary), wesenditObjects: summary.wesenditObjects, rowsLoaded: run.store.length, rowsTotal: summary.rows });
      this.archive(run);
    } catch (error) {
      if (this.isFinished(run.state)) return;
      const data = run.wesenditError ?? toErrorData(error);
      let doctor: DoctorReport | undefined;
      if (run.wesenditError === undefined && CONNECTION_FAILURES.has(data.code)) {
        try {
          doctor = await companion.request('doctor', { connection: connection(), ...(allowedIps !== undefined ? { allowedIps } : {}) }, { timeoutMs: 60_000 });
        } catch {
          // The error itself still says what failed.
        }
      }
      if (!this.isFinished(run.state)) {
        this.update(run, { status: 'failed', error: data, ...(doctor ? { doctor } : {}) });
        this.archive(run);
      }
    } finally {
      this.endListing(run);
    }
  }

  private async startListing(run: Run, listing: TabListing): Promise<void> {
    const failed = await askTabToList(listing, this.deps.collectListing);
    if (failed) this.failWesendit(run, failed);
  }

  private failWesendit(run: Run, error: ErrorData): void {
    if (this.isFinished(run.state) || run.wesenditError) return;
    run.wesenditError = error;
    this.endListing(run);
    run.controller.abort(new ConnectGuardError(error.code, error.message));
  }

  private endListing(run: Run): void {
    run.listing?.end();
  }

  private onProgress(run: Run, progress: PreviewProgress): void {
    if (this.isFinished(run.state)) return;
    if (progress.phase === 'rows') {
      this.onTotals(run, progress);
      return;
    }
    const expected = run.expectedObjects;
    const etaMs = expected !== undefined && progress.rate > 0 && expected > progress.objects ? Math.round(((expected - progress.objects) / progress.rate) * 1000) : undefined;
    const { etaMs: _previous, ...rest } = run.state;
    run.state = { ...rest, progress, ...(etaMs !== undefined ? { etaMs } : {}) };
  }

  /** The merge is done: the summary shows at once while the rows still arrive. */
  private onTotals(run: Run, progress: PreviewProgress): void {
    const { totals, rows, bucketObjects, wesenditObjects } = progress;
    if (totals === undefined || rows === undefined || bucketObjects === undefined || wesenditObjects === undefined) return;
    const summary: DiffPreviewSummary = { totals, rows, bucketObjects, wesenditObjects, elapsedMs: progress.elapsedMs };
    const { etaMs: _eta, ...rest } = run.state;
    run.state = { ...rest, status: 'loading-rows', progress, summary, advice: adviceFor(summary), wesenditObjects, rowsLoaded: run.store.length, rowsTotal: rows };
  }

  private update(run: Run, change: Partial<PreviewState>): void {
    run.state = { ...run.state, ...change };
  }

  private isFinished(state: PreviewState): boolean {
    return isFinishedStatus(state.status);
  }

  /**
   * Writes the run to the archive: its state at the start and its end, with the rows when it is
   * done. Writes go one after another; a failed write loses only the copy, never the preview.
   */
  private archive(run: Run): void {
    const archive = this.deps.archive;
    if (archive === undefined) return;
    const state = run.state;
    const rows = state.status === 'done' ? run.store.snapshot() : undefined;
    this.saving = this.saving.then(() => archive.save({ state, ...(rows ? { rows } : {}) })).catch(() => undefined);
  }

  /** Waits for every archive write so far (tests, and the worker before it may stop). */
  flush(): Promise<void> {
    return this.saving;
  }

  /** Brings the archived preview back once, before the first request that needs one. */
  private loaded(): Promise<void> {
    this.loading ??= this.restore();
    return this.loading;
  }

  private async restore(): Promise<void> {
    const archived = await this.deps.archive?.load().catch(() => undefined);
    if (archived === undefined || this.current !== undefined) return;
    try {
      const store = archived.rows ? PreviewRowStore.fromSnapshot(archived.rows) : new PreviewRowStore();
      let { state } = archived;
      if (typeof state.previewId !== 'string' || typeof state.status !== 'string') return;
      if (!isFinishedStatus(state.status)) {
        const { progress: _progress, etaMs: _eta, ...rest } = state;
        state = { ...rest, status: 'failed', error: { code: 'CANCELLED', message: INTERRUPTED_MESSAGE } };
      } else if (state.status === 'done' && store.length !== state.rowsLoaded) {
        return;
      }
      this.current = archivedRun(state, store);
    } catch {
      // A damaged archive is only a lost copy: the user runs the preview again.
    }
  }

  private async get(previewId: string): Promise<Run> {
    await this.loaded();
    const run = this.current;
    if (!run || run.state.previewId !== previewId) {
      throw new ConnectGuardError('NOT_FOUND', 'This preview is no longer in memory (a newer one replaced it, or the browser restarted the extension). Start "Preview connect" again.');
    }
    return run;
  }
}
