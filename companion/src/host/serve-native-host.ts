import type { Readable, Writable } from 'node:stream';
import { ConnectGuardError, toErrorData, type ErrorData } from '../../../shared/errors.ts';
import { MAX_CHUNK_BYTES, MAX_HOST_MESSAGE_BYTES, MAX_REQUEST_BYTES, type CompanionChunk, type CompanionProgress, type CompanionRequestData, type CompanionRequestMessage, type CompanionRequestType, type CompanionResult, type ExtensionToHostMessage, type HostToExtensionMessage } from '../../../shared/protocol/companion-protocol.ts';
import { parseExtensionMessage } from '../../../shared/protocol/companion-guards.ts';
import type { HostLog } from './host-log.ts';
import { FrameReader, FrameTooLargeError, FrameWriter, type DecodedFrame } from './native-messaging.ts';
import { packChunkTexts } from './pack-chunks.ts';

/** What a handler gets besides its request's data. */
export interface RequestContext<T extends CompanionRequestType> {
  /** Aborted on cancel, timeout or when the browser closes the port: stop the work. */
  readonly signal: AbortSignal;
  /** Sends a progress event (dropped once the request has ended). */
  progress(data: CompanionProgress<T>): Promise<void>;
  /** Sends items as one or more chunk events of at most {@link MAX_CHUNK_BYTES} each; waits while the pipe is full. */
  chunk(items: CompanionChunk<T> & readonly unknown[]): Promise<void>;
}

export type RequestHandler<T extends CompanionRequestType> = (data: CompanionRequestData<T>, context: RequestContext<T>) => Promise<CompanionResult<T>>;

/** The request types this host serves; a type without a handler gets an error reply. */
export type CompanionHandlers = { readonly [T in CompanionRequestType]?: RequestHandler<T> };

export interface ServeNativeHostInput {
  readonly input: Readable;
  readonly output: Writable;
  readonly handlers: CompanionHandlers;
  readonly log: HostLog;
  /** When set, every message is answered with this error (a caller the host does not serve). */
  readonly refusal?: ErrorData;
}

interface Running {
  cancel(error: ConnectGuardError): void;
  readonly done: Promise<void>;
}

/**
 * Why serving ended: `eof` when the browser closed the port; `out-of-step` when a length header
 * over the limit left no way to tell where the next frame starts, so the host closed the
 * connection itself (the browser reconnects with a fresh host).
 */
export type ServeEnd = 'eof' | 'out-of-step';

/**
 * Serves native-messaging requests until stdin ends (the browser closed the port) or a frame
 * header puts the stream out of step, then cancels what still runs and resolves. Every frame
 * before that gets an answer; nothing a caller sends can crash or hang the host.
 */
export async function serveNativeHost({ input, output, handlers, log, refusal }: ServeNativeHostInput): Promise<ServeEnd> {
  const reader = new FrameReader(MAX_REQUEST_BYTES);
  const writer = new FrameWriter(output, MAX_HOST_MESSAGE_BYTES);
  const running = new Map<string, Running>();

  const send = async (message: HostToExtensionMessage): Promise<void> => {
    try {
      await writer.write(message);
    } catch (error) {
      log.write('reply not sent', { id: message.id, problem: error instanceof Error ? error.message : String(error) });
    }
  };
  const sendError = (id: string | null, error: ErrorData): Promise<void> => send({ id, error });

  const start = <T extends CompanionRequestType>(request: CompanionRequestMessage<T>, handler: RequestHandler<T>): Running => {
    const { id } = request;
    const controller = new AbortController();
    let ended = false;
    let seq = 0;
    const end = async (message: HostToExtensionMessage): Promise<void> => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      running.delete(id);
      try {
        await writer.write(message);
      } catch (error) {
        if (!(error instanceof FrameTooLargeError)) throw error;
        // A final value must fit one frame; a handler that needs more sends chunks.
        await send({ id, error: { code: 'PROTOCOL_ERROR', message: `${error.message} The companion cannot send this result; please report it.` } });
      }
    };
    const stop = (error: ConnectGuardError): void => {
      if (ended) return;
      log.write('request stopped', { id, type: request.type, code: error.code });
      controller.abort(error);
      void end({ id, error: error.toData() });
    };
    const timer = setTimeout(() => stop(new ConnectGuardError('TIMEOUT', `The companion did not finish "${request.type}" within ${request.timeoutMs} ms. Try again; for a large bucket, allow more time.`)), request.timeoutMs);
    const context: RequestContext<T> = {
      signal: controller.signal,
      progress: async (data) => {
        if (!ended) await send({ id, event: 'progress', data });
      },
      chunk: async (items) => {
        for (const part of packChunkTexts(items, MAX_CHUNK_BYTES)) {
          if (ended) return;
          // The same object as { id, event: 'chunk', seq, data }, with the rows' text spliced in.
          await writer.writeJson(`{"id":${JSON.stringify(id)},"event":"chunk","seq":${seq},"data":${part.json}}`);
          seq += 1;
        }
      },
    };
    const done = (async () => {
      try {
        const result = await handler(request.data, context);
        await end({ id, ok: result, chunks: seq });
      } catch (error) {
        if (!ended) log.write('request failed', { id, type: request.type, code: toErrorData(error).code });
        await end({ id, error: toErrorData(error) });
      }
    })();
    return { cancel: stop, done };
  };

  const dispatch = (message: ExtensionToHostMessage): void => {
    if (message.type === 'cancel') {
      // A cancel that crosses the request's own end finds nothing to do: not an error.
      running.get(message.id)?.cancel(new ConnectGuardError('CANCELLED', 'Cancelled.'));
      return;
    }
    if (running.has(message.id)) {
      void sendError(message.id, { code: 'PROTOCOL_ERROR', message: `A request with id "${message.id}" is still running. Use a new id for each request.` });
      return;
    }
    const accepted = accept(message, handlers);
    if (!accepted) {
      void sendError(message.id, { code: 'PROTOCOL_ERROR', message: `This companion does not serve "${message.type}" yet. Update the companion.` });
      return;
    }
    log.write('request', { id: message.id, type: message.type });
    running.set(message.id, accepted(start));
  };

  let refused: Promise<void> | undefined;
  const handleFrame = (frame: DecodedFrame): void => {
    if (frame.kind === 'oversize') {
      log.write(`length header of ${frame.bytes} bytes over the limit of ${MAX_REQUEST_BYTES}: closing the connection`);
      refused = sendError(null, {
        code: 'PROTOCOL_ERROR',
        message:
          `A message of ${frame.bytes} bytes exceeds the companion's limit of ${MAX_REQUEST_BYTES} bytes, so the companion cannot tell where the next message starts and closes the connection. ` +
          'Send large listings in batches (inventory.upload); the next request starts a new connection.',
      });
      return;
    }
    if (frame.kind === 'malformed') {
      void sendError(frame.id, { code: 'PROTOCOL_ERROR', message: frame.problem });
      return;
    }
    const parsed = parseExtensionMessage(frame.value);
    if (refusal) {
      void sendError(parsed.ok ? parsed.message.id : parsed.id, refusal);
      return;
    }
    if (!parsed.ok) {
      void sendError(parsed.id, parsed.error);
      return;
    }
    dispatch(parsed.message);
  };

  input.on('error', (error) => log.write('stdin error', { problem: error.message }));
  try {
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
      for (const frame of reader.push(bytes)) handleFrame(frame);
      // Leaving the loop stops reading stdin (for await destroys the stream).
      if (reader.isStopped) break;
    }
  } catch (error) {
    log.write('stdin failed', { problem: error instanceof Error ? error.message : String(error) });
  }
  const end: ServeEnd = reader.isStopped ? 'out-of-step' : 'eof';
  if (end === 'eof' && reader.pendingBytes > 0) log.write('stdin ended inside a message', { bytes: reader.pendingBytes });
  // The browser closed the port (popup closed, extension reloaded), or the host closes it: nobody waits for running work.
  const left = [...running.values()];
  const reason = end === 'eof' ? 'The browser closed the connection to the companion.' : 'The companion closed the connection after a message it could not read. Try again.';
  for (const request of left) request.cancel(new ConnectGuardError('CANCELLED', reason));
  await Promise.all(left.map((request) => request.done));
  await refused;
  return end;
}

type Starter = <T extends CompanionRequestType>(request: CompanionRequestMessage<T>, handler: RequestHandler<T>) => Running;

/**
 * Pairs a request with its handler, keeping the request type and the handler's type together
 * (a lookup by a union key would lose that link).
 */
function accept(message: Exclude<ExtensionToHostMessage, { type: 'cancel' }>, handlers: CompanionHandlers): ((start: Starter) => Running) | undefined {
  switch (message.type) {
    case 'ping': {
      const handler = handlers.ping;
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'doctor': {
      const handler = handlers.doctor;
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'inventory.upload': {
      const handler = handlers['inventory.upload'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'diff.preview': {
      const handler = handlers['diff.preview'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'bucket.probe': {
      const handler = handlers['bucket.probe'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'backup.run': {
      const handler = handlers['backup.run'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'restore.plan': {
      const handler = handlers['restore.plan'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'restore.apply': {
      const handler = handlers['restore.apply'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'backup.list': {
      const handler = handlers['backup.list'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'tools.list': {
      const handler = handlers['tools.list'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'tools.setup': {
      const handler = handlers['tools.setup'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'tools.update': {
      const handler = handlers['tools.update'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    case 'audit.run': {
      const handler = handlers['audit.run'];
      return handler ? (start) => start(message, handler) : undefined;
    }
    default: {
      // A request type added to the protocol needs its case here; the compiler says so.
      const unserved: never = message;
      return unserved;
    }
  }
}
