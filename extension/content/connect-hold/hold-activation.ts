/**
 * What the connect hold reads off an event and a form: whether a click was the user's own, the
 * digest that tells one form's values from another's, and the background's release message.
 */
import type { ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';

/**
 * A digest of the form's values: same values, same hold. Two 32-bit FNV-1a rounds; the secret
 * is hashed in, never kept.
 */
export function formKeyOf(values: ConnectFormValues): string {
  const text = [values.provider, values.endpoint, values.region, values.bucket, values.accessKey, values.secretKey].join('\u0000');
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x5bd1e995) >>> 0;
  }
  return `${values.bucket}:${a.toString(36)}${b.toString(36)}:${values.secretKey.length}`;
}

function hasUserActivation(value: unknown): value is { readonly isActive: boolean } {
  return typeof value === 'object' && value !== null && 'isActive' in value && typeof value.isActive === 'boolean';
}

/**
 * Was `event` the user's own activation? A page script's `element.click()` or dispatched event is
 * not trusted; its `form.requestSubmit()` fires a trusted submit, but without the transient user
 * activation a real click or key press gives (navigator.userActivation, where the browser has it).
 */
export function isUserActivation(event: Event, nav: Navigator = navigator): boolean {
  if (!event.isTrusted) return false;
  if (event.type !== 'submit') return true;
  const activation: unknown = Reflect.get(nav, 'userActivation');
  return hasUserActivation(activation) ? activation.isActive : true;
}

/** The hold id of a `connectHold.released` tab message, or `undefined` for any other message. */
export function releasedHoldId(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'connectHold.released') return undefined;
  if (!('data' in message) || typeof message.data !== 'object' || message.data === null || !('holdId' in message.data)) return undefined;
  return typeof message.data.holdId === 'string' ? message.data.holdId : undefined;
}
