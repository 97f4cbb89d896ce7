/**
 * How the preview components talk to the background: `sendToBackground` in the extension, a
 * fake in unit tests.
 */
import type { RequestData, RequestResult, RequestType } from '../../../shared/protocol/extension-protocol.ts';

export type SendToBackground = <T extends RequestType>(type: T, data: RequestData<T>) => Promise<RequestResult<T>>;
