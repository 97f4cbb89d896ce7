/**
 * Answers to a listing that cannot be trusted. A listing decides what a backup holds and what a
 * preview shows, so a page that breaks S3's rules is an error that names the server's fault,
 * never a key skipped or a listing ended early.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';

const WHAT_TO_DO =
  'Connect Guard stops rather than report a bucket with objects missing. This is a fault of the S3 server (or of a proxy in between): try again, and if it repeats, report it to the storage provider.';

/** A page of a listing (or its XML) that breaks S3's rules. */
export function listingFault(problem: string): ConnectGuardError {
  return new ConnectGuardError('SERVER_FAULT', `The S3 server ${problem}. ${WHAT_TO_DO}`);
}

/**
 * An answer to an S3 request that is not S3 at all (a web page, a portal): the address is wrong.
 * Thrown where the raw answer is seen; `classifyS3Error` names the address and the fix.
 */
export class NotAnS3Answer extends Error {
  override readonly name = 'NotAnS3Answer';
  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    /** What came back instead, in a few words: "a web page (text/html)". */
    readonly description: string,
  ) {
    super(`The server answered HTTP ${status} with ${description}, not an S3 reply.`);
  }
}
