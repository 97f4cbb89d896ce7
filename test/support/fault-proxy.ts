/**
 * An HTTP proxy on 127.0.0.1 in front of the S3 gateway that misbehaves on purpose, decided by
 * request number so a run is repeatable: 500 InternalError, 503 SlowDown, connection resets,
 * responses cut off mid-body, stalls, AccessDenied (what an IP allow-list answers), answers
 * rewritten on their way back (a server that lies), and a fixed delay per request (a WAN-like
 * round trip). The Host header passes through unchanged, so SigV4 signatures made for the
 * proxy's address stay valid.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly code: string; readonly message?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'stall' }
  /**
   * The server's real answer with its body (UTF-8) and headers changed on the way back; the
   * content length is set to the new body's.
   */
  | { readonly kind: 'rewrite'; readonly body?: (text: string) => string; readonly headers?: (headers: Record<string, string>) => Record<string, string> };

export interface FaultProxyOptions {
  /** `http://127.0.0.1:PORT` of the real gateway. */
  readonly target: string;
  /** Decides per request (numbered from 1) what goes wrong, if anything. */
  readonly fault?: (requestNumber: number, request: IncomingMessage) => Fault | undefined;
  /** Milliseconds added before each request is forwarded. */
  readonly delayMs?: number;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen and faults injected, by kind. */
  readonly stats: { requests: number; injected: Record<string, number> };
  close(): Promise<void>;
}

export const slowDown: Fault = { kind: 'status', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
export const internalError: Fault = { kind: 'status', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
export const accessDenied: Fault = { kind: 'status', status: 403, code: 'AccessDenied', message: 'Access Denied' };

function errorXml(code: string, message: string, resource: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><Resource>${resource.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Resource>` +
    `<RequestId>fault-proxy-${Date.now()}</RequestId></Error>`
  );
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const injected: Record<string, number> = {};
  const stats = { requests: 0, injected };
  const sockets = new Set<Socket>();
  const count = (kind: string): void => {
    stats.injected[kind] = (stats.injected[kind] ?? 0) + 1;
  };

  const forward = (request: IncomingMessage, response: ServerResponse, truncate: boolean, rewrite?: Extract<Fault, { kind: 'rewrite' }>): void => {
    const upstream = httpRequest(
      { hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (reply) => {
        if (rewrite) {
          const chunks: Buffer[] = [];
          reply.on('data', (chunk: Buffer) => chunks.push(chunk));
          reply.on('end', () => {
            const raw = Buffer.concat(chunks);
            // Bytes pass unchanged unless the body is rewritten (an object's bytes are not text).
            const body = rewrite.body ? Buffer.from(rewrite.body(raw.toString('utf8')), 'utf8') : raw;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(reply.headers)) if (typeof value === 'string') headers[name] = value;
            const changed = rewrite.headers ? rewrite.headers(headers) : headers;
            delete changed['transfer-encoding'];
            // A HEAD answer has no body; its length header is the object's.
            if (request.method === 'HEAD') {
              response.writeHead(reply.statusCode ?? 502, changed);
              response.end();
              return;
            }
            response.writeHead(reply.statusCode ?? 502, { ...changed, 'content-length': String(body.length) });
            response.end(body);
          });
          return;
        }
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        if (!truncate) {
          reply.pipe(response);
          return;
        }
        // Send about half the body, then drop the connection.
        const length = Number(reply.headers['content-length'] ?? 0);
        let sent = 0;
        reply.on('data', (chunk: Buffer) => {
          if (sent >= length / 2) return;
          const part = chunk.subarray(0, Math.max(1, Math.floor(length / 2) - sent));
          sent += part.length;
          response.write(part);
          if (sent >= length / 2) response.socket?.destroy();
        });
        reply.on('end', () => response.socket?.destroy());
      },
    );
    upstream.on('error', () => response.socket?.destroy());
    request.pipe(upstream);
  };

  const server = createServer((request, response) => {
    const number = ++stats.requests;
    const handle = (): void => {
      const fault = options.fault?.(number, request);
      if (!fault) {
        forward(request, response, false);
        return;
      }
      count(fault.kind === 'status' ? fault.code : fault.kind);
      switch (fault.kind) {
        case 'status': {
          request.resume();
          const body = errorXml(fault.code, fault.message ?? fault.code, request.url ?? '/');
          response.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': `fault-proxy-${number}` });
          response.end(body);
          return;
        }
        case 'reset':
          request.socket.destroy();
          return;
        case 'truncate':
          forward(request, response, true);
          return;
        case 'rewrite':
          forward(request, response, false, fault);
          return;
        case 'stall':
          // Say nothing; the client's request timeout must notice. The socket closes with the proxy.
          request.resume();
          return;
      }
    };
    if (options.delayMs) setTimeout(handle, options.delayMs);
    else handle();
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
