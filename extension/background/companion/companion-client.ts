/**
 * What the background's services need from the native port to the companion
 * (adapters/companion-port.ts provides it): one typed request at a time, with progress and
 * chunks for the streamed ones, a timeout and cancellation.
 */
import type { CompanionRequestData, CompanionRequestType, CompanionResult } from '../../../shared/protocol/companion-protocol.ts';
import type { CompanionRequestOptions } from '../../adapters/companion-port.ts';

export interface CompanionClient {
  request<T extends CompanionRequestType>(type: T, data: CompanionRequestData<T>, options?: CompanionRequestOptions<T>): Promise<CompanionResult<T>>;
}
