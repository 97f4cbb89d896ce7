/**
 * The extension side of one companion request: follows its host messages in order, checks each
 * payload against the request type (companion-guards.ts) and ends with the result or an error.
 */
import type { ErrorData } from '../errors.ts';
import { checkChunk, checkProgress, checkResult } from './companion-guards.ts';
import type { CompanionChunk, CompanionProgress, CompanionRequestType, CompanionResult, HostToExtensionMessage } from './companion-protocol.ts';

/** Where a request stands after a host message: still running, or ended with its result or error. */
export type CollectorState<T extends CompanionRequestType> =
  | { readonly done: false }
  | { readonly done: true; readonly ok: true; readonly value: CompanionResult<T> }
  | { readonly done: true; readonly ok: false; readonly error: ErrorData };

/** Callbacks for a streamed request's events, called with validated data in order. */
export interface CollectorEvents<T extends CompanionRequestType> {
  readonly onProgress?: (data: CompanionProgress<T>) => void;
  readonly onChunk?: (data: CompanionChunk<T>, seq: number) => void;
}

/**
 * Follows one request's host messages on the extension side: validates every payload for the
 * request type, insists on chunks in order with none missing (`seq` 0, 1, 2 … and the final
 * `chunks` count), and turns anything else into a `PROTOCOL_ERROR` end state.
 */
export class CompanionReplyCollector<T extends CompanionRequestType> {
  private chunks = 0;
  private ended: CollectorState<T> | undefined;

  constructor(
    readonly type: T,
    readonly id: string,
    private readonly events: CollectorEvents<T> = {},
  ) {}

  /** Feeds a message already checked by {@link parseHostMessage} and addressed to this request's id. */
  accept(message: HostToExtensionMessage): CollectorState<T> {
    if (this.ended) return this.ended;
    if (message.id !== this.id) return { done: false };
    if ('error' in message) return this.end({ done: true, ok: false, error: message.error });
    if ('ok' in message) {
      if (message.chunks !== this.chunks) return this.fail(`the companion sent ${message.chunks} chunks but ${this.chunks} arrived`);
      const result = checkResult(this.type, message.ok);
      return result.ok ? this.end({ done: true, ok: true, value: result.value }) : this.fail(result.problem);
    }
    if (message.event === 'progress') {
      const progress = checkProgress(this.type, message.data);
      if (!progress.ok) return this.fail(progress.problem);
      this.events.onProgress?.(progress.value);
      return { done: false };
    }
    if (message.seq !== this.chunks) return this.fail(`chunk ${this.chunks} expected, chunk ${message.seq} arrived`);
    const chunk = checkChunk(this.type, message.data);
    if (!chunk.ok) return this.fail(chunk.problem);
    this.chunks += 1;
    this.events.onChunk?.(chunk.value, message.seq);
    return { done: false };
  }

  private fail(problem: string): CollectorState<T> {
    return this.end({ done: true, ok: false, error: { code: 'PROTOCOL_ERROR', message: `Invalid reply to "${this.type}": ${problem}. Update the companion and the extension to matching versions.` } });
  }

  private end(state: CollectorState<T>): CollectorState<T> {
    this.ended = state;
    return state;
  }
}
