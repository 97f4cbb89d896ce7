/**
 * The background's one native-messaging port to the companion (`connect-guard host`): opened on
 * the first request, reopened after the browser or the host closed it. Requests carry unique ids
 * and timeouts; every host frame is validated (shared/protocol/companion-protocol.ts) before it
 * reaches a caller; a closed port fails every pending request with an error naming the fix.
 *
 * The host process lives as long as the port: uploads staged with `inventory.upload` belong to
 * it, so a preview's upload and `diff.preview` must use the same open port (they do as long as
 * the port is not closed in between; an idle port is closed after {@link IDLE_CLOSE_MS}).
 */
import { browser } from 'wxt/browser';
import { ConnectGuardError, type ErrorData } from '../../shared/errors.ts';
import { COMPANION_HOST_NAME, MAX_TIMEOUT_MS, type CompanionChunk, type CompanionProgress, type CompanionRequestData, type CompanionRequestMessage, type CompanionRequestType, type CompanionResult, type ExtensionToHostMessage, type HostToExtensionMessage } from '../../shared/protocol/companion-protocol.ts';
import { CompanionReplyCollector } from '../../shared/protocol/companion-reply-collector.ts';
import { parseHostMessage } from '../../shared/protocol/companion-guards.ts';

/** The part of `runtime.Port` this module uses (a fake one in unit tests). */
export interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  readonly onMessage: { addListener(listener: (message: unknown) => void): void };
  readonly onDisconnect: { addListener(listener: () => void): void };
  /** Firefox's reason for a closed port (Chromium sets `runtime.lastError` instead). */
  readonly error?: { readonly message?: string } | null;
}

export interface CompanionPortOptions {
  /** Opens a port to the host (`runtime.connectNative`). */
  readonly connect: () => NativePort;
  /** `runtime.lastError`'s message while an onDisconnect listener runs (Chromium). */
  readonly lastErrorMessage: () => string | undefined;
  /** Default: `crypto.randomUUID()`. */
  readonly newId?: () => string;
  /** Close the port after this long without a pending request (default {@link IDLE_CLOSE_MS}; 0: never). */
  readonly idleCloseMs?: number;
}

export interface CompanionRequestOptions<T extends CompanionRequestType> {
  /** Sent to the host; the port also gives up {@link LOCAL_TIMEOUT_GRACE_MS} after it. Default 60 s. */
  readonly timeoutMs?: number;
  readonly onProgress?: (data: CompanionProgress<T>) => void;
  readonly onChunk?: (data: CompanionChunk<T>, seq: number) => void;
  /** Aborting sends `{ id, type: 'cancel' }` and rejects with CANCELLED at once. */
  readonly signal?: AbortSignal;
}

/** Long enough for a host to answer a ping, short enough to keep no idle host process around. */
export const IDLE_CLOSE_MS = 60_000;
/** The host answers TIMEOUT itself; the port waits this much longer before it stops waiting. */
export const LOCAL_TIMEOUT_GRACE_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 60_000;

export const INSTALL_HINT = 'Install the Connect Guard companion on this computer ("npx connect-guard install-host"), then try again.';

/**
 * Turns the browser's reason for a closed native port into an error that says what to do.
 * Chromium: "Specified native messaging host not found." / "Access to the specified native
 * messaging host is forbidden."; Firefox: "No such native application …" for both (it does not
 * tell a missing manifest from one that names another add-on).
 */
export function companionUnavailable(reason: string | undefined): ConnectGuardError {
  const detail = reason ?? 'the companion closed the connection';
  if (/no such native application/i.test(detail)) {
    return new ConnectGuardError(
      'COMPANION_UNAVAILABLE',
      `The Connect Guard companion is not registered for Firefox, or not for this add-on (${detail}). Run "connect-guard install-host --browser firefox", then try again.`,
    );
  }
  if (/not found/i.test(detail)) {
    return new ConnectGuardError('COMPANION_UNAVAILABLE', `The Connect Guard companion is not installed for this browser (${detail}). ${INSTALL_HINT}`);
  }
  if (/forbidden/i.test(detail)) {
    return new ConnectGuardError(
      'COMPANION_UNAVAILABLE',
      `The companion is installed for another extension id (${detail}). Run "npx connect-guard install-host" again so it allows this extension.`,
    );
  }
  return new ConnectGuardError('COMPANION_UNAVAILABLE', `The connection to the Connect Guard companion closed (${detail}). If this repeats: ${INSTALL_HINT}`);
}

interface Pending {
  accept(message: HostToExtensionMessage): void;
  fail(error: ErrorData): void;
}

export class CompanionPort {
  private port: NativePort | undefined;
  private readonly pending = new Map<string, Pending>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly newId: () => string;

  constructor(private readonly options: CompanionPortOptions) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Requests still waiting for their final reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  get isOpen(): boolean {
    return this.port !== undefined;
  }

  /**
   * Sends one request and resolves with its validated final value; progress and chunks go to
   * the callbacks in order. Rejects with the host's error as a ConnectGuardError.
   */
  request<T extends CompanionRequestType>(type: T, data: CompanionRequestData<T>, options: CompanionRequestOptions<T> = {}): Promise<CompanionResult<T>> {
    const timeoutMs = Math.min(Math.max(1, Math.round(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)), MAX_TIMEOUT_MS);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new ConnectGuardError('CANCELLED', 'Cancelled.'));
    const id = this.newId();
    return new Promise<CompanionResult<T>>((resolve, reject) => {
      const events = {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onChunk ? { onChunk: options.onChunk } : {}),
      };
      const collector = new CompanionReplyCollector(type, id, events);
      let port: NativePort;
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        this.scheduleIdleClose();
      };
      const fail = (error: ErrorData): void => {
        finish();
        reject(new ConnectGuardError(error.code, error.message));
      };
      const cancelOnHost = (): void => {
        const cancel: ExtensionToHostMessage = { id, type: 'cancel' };
        try {
          if (this.port === port) port.postMessage(cancel);
        } catch {
          // The port is already closed: nothing runs there any more.
        }
      };
      const onAbort = (): void => {
        cancelOnHost();
        fail({ code: 'CANCELLED', message: 'Cancelled.' });
      };
      const timer = setTimeout(() => {
        cancelOnHost();
        fail({ code: 'TIMEOUT', message: `The companion did not answer "${type}" within ${timeoutMs} ms. Try again; for a large bucket, allow more time.` });
      }, timeoutMs + LOCAL_TIMEOUT_GRACE_MS);
      this.pending.set(id, {
        accept: (message) => {
          let state;
          try {
            state = collector.accept(message);
          } catch (error) {
            // A throwing callback ends this request, never the port.
            cancelOnHost();
            fail({ code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
            return;
          }
          if (!state.done) return;
          if (state.ok) {
            finish();
            resolve(state.value);
          } else {
            fail(state.error);
          }
        },
        fail,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        port = this.open();
        const message: CompanionRequestMessage<T> = { id, type, data, timeoutMs };
        port.postMessage(message);
      } catch (error) {
        fail(error instanceof ConnectGuardError ? error.toData() : companionUnavailable(error instanceof Error ? error.message : String(error)).toData());
      }
    });
  }

  /** Closes the port (the host exits and drops staged uploads); pending requests fail with CANCELLED. */
  disconnect(): void {
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    try {
      port.disconnect();
    } catch {
      // Already closed.
    }
    this.failAll({ code: 'CANCELLED', message: 'The connection to the companion was closed.' });
  }

  private open(): NativePort {
    if (this.port) return this.port;
    clearTimeout(this.idleTimer);
    const port = this.options.connect();
    this.port = port;
    port.onMessage.addListener((raw) => {
      if (this.port !== port) return;
      this.onHostMessage(raw);
    });
    port.onDisconnect.addListener(() => {
      // runtime.lastError is only readable inside this listener; Firefox puts the reason on the port.
      const reason = port.error?.message ?? this.options.lastErrorMessage();
      if (this.port !== port) return;
      this.port = undefined;
      clearTimeout(this.idleTimer);
      this.failAll(companionUnavailable(reason).toData());
    });
    return port;
  }

  private onHostMessage(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      // A frame that cannot be read cannot be attributed; if exactly one request runs it is its reply.
      if (this.pending.size === 1) {
        for (const request of this.pending.values()) {
          request.fail({ code: 'PROTOCOL_ERROR', message: `The companion sent an invalid message: ${parsed.problem}. Update the companion and the extension to matching versions.` });
        }
      }
      return;
    }
    const message = parsed.value;
    if (message.id === null) {
      // The host could not read one of our frames: each of ours is well-formed, so this is a
      // host too old or too new for this extension.
      if ('error' in message && this.pending.size === 1) for (const request of this.pending.values()) request.fail(message.error);
      return;
    }
    this.pending.get(message.id)?.accept(message);
    // A host that refuses this extension (registered for another id) refuses every request: let
    // it go, so the request after a new "connect-guard install-host" starts a host that serves us.
    if ('error' in message && message.error.code === 'FORBIDDEN_SENDER' && this.pending.size === 0) this.disconnect();
  }

  private failAll(error: ErrorData): void {
    for (const request of [...this.pending.values()]) request.fail(error);
  }

  private scheduleIdleClose(): void {
    const idleMs = this.options.idleCloseMs ?? IDLE_CLOSE_MS;
    if (idleMs <= 0 || this.pending.size > 0 || !this.port) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) this.disconnect();
    }, idleMs);
  }
}

/** The background's port over `browser.runtime.connectNative`. */
export function createBrowserCompanionPort(options: Partial<Pick<CompanionPortOptions, 'idleCloseMs'>> = {}): CompanionPort {
  return new CompanionPort({
    connect: () => browser.runtime.connectNative(COMPANION_HOST_NAME),
    lastErrorMessage: () => browser.runtime.lastError?.message,
    ...options,
  });
}
