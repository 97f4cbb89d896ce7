/**
 * "Review sync result": the companion compares the plan saved beside a backup (what the preview
 * predicted when the user connected) with the bucket now, and the background keeps the findings
 * for the popup — every key that is not as predicted, with the restore selection (keys lost or
 * overwritten unexpectedly) and the keys that had not arrived, which "Check again" re-lists alone.
 *
 * Only the user's action in an extension page starts a review (routes.ts: `from: 'page'`). A
 * review keeps its connection source, not the secret: "Check again" resolves it again.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { AuditRowView, AuditRunResult } from '../../../shared/protocol/companion-protocol.ts';
import { MAX_AUDIT_FINDINGS, type AuditView, type PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import type { ResolvedConnection } from '../preview/resolve-connection-source.ts';
import type { TransferCompanion } from './backup-service.ts';

export interface AuditServiceDeps {
  readonly companion: TransferCompanion;
  resolve(source: PreviewConnectionSource): Promise<ResolvedConnection>;
  readonly newId?: () => string;
}

interface AuditRun {
  view: AuditView;
  readonly source: PreviewConnectionSource;
  controller: AbortController;
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
  async start(source: PreviewConnectionSource, folder: string | undefined, wesenditManifest?: string): Promise<AuditView> {
    const { connection } = await this.deps.resolve(source);
    this.current?.controller.abort(new ConnectGuardError('CANCELLED', 'A new review replaced this one.'));
    const run: AuditRun = {
      view: { auditId: this.newId(), status: 'running', folder: folder ?? '', bucket: connection.bucket, findings: [], pendingKeys: [], restoreKeys: [] },
      source,
      controller: new AbortController(),
    };
    this.current = run;
    const first = run.view;
    const findings: AuditRowView[] = [];
    const pending: string[] = [];
    const restore: string[] = [];
    void this.deps.companion
      .audit(
        { connection, ...(folder !== undefined ? { folder } : {}), ...(wesenditManifest !== undefined ? { wesendit: { kind: 'manifest', path: wesenditManifest } } : {}) },
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
          if (!this.isCurrent(run)) return;
          const { progress: _progress, ...rest } = run.view;
          run.view = { ...rest, status: 'done', folder: result.folder, bucket: result.bucket, result, findings, pendingKeys: pending, restoreKeys: restore };
        },
        (error: unknown) => {
          if (this.isCurrent(run)) run.view = { ...run.view, status: 'failed', error: toErrorData(error) };
        },
      );
    return first;
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
