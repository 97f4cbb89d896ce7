/**
 * What the component tests share: a background that answers from a table and records every
 * request, a host element to render into, and a wait for what the component shows next (replies
 * and polls are asynchronous).
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { RequestData, RequestResult, RequestType } from '../../../shared/protocol/extension-protocol.ts';
import type { SendToBackground } from '../preview/preview-send.ts';

export type Handlers = { [T in RequestType]?: (data: RequestData<T>) => Promise<RequestResult<T>> | RequestResult<T> };

export interface Call {
  readonly type: RequestType;
  readonly data: unknown;
}

/** A background that answers from `handlers` and records every request; an unanswered type fails. */
export function fakeBackground(handlers: Handlers): { send: SendToBackground; calls: Call[] } {
  const calls: Call[] = [];
  const send: SendToBackground = async (type, data) => {
    calls.push({ type, data });
    const handler = handlers[type];
    if (handler === undefined) throw new ConnectGuardError('INTERNAL', `The test background does not answer "${type}".`);
    return handler(data);
  };
  return { send, calls };
}

/** A fresh element in the document to render into. */
export function attachHost(): HTMLElement {
  const host = document.createElement('div');
  document.body.append(host);
  return host;
}

/** Unmounts what was rendered into `host` (stopping its timers) and removes it. */
export function detachHost(host: HTMLElement): void {
  render(null, host);
  host.remove();
}

/** Waits (in real time, 5 ms steps) until `check` holds; the failure shows the host's text. */
export async function untilShown(host: HTMLElement, check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i += 1) {
    if (check()) return;
    await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  }
  throw new Error(`Timed out waiting for ${what}. Shown: ${host.textContent ?? ''}`);
}

/** The button in `host` whose text is `name`; throws when there is none. */
export function buttonNamed(host: HTMLElement, name: string): HTMLButtonElement {
  const found = [...host.querySelectorAll('button')].find((element) => element.textContent?.trim() === name);
  if (!found) throw new Error(`No button "${name}" in: ${host.textContent ?? ''}`);
  return found;
}

/** Types `value` into the input `selector` of `host` as an input event delivers it to the component. */
export async function typeInto(host: HTMLElement, selector: string, value: string): Promise<void> {
  const input = host.querySelector<HTMLInputElement>(selector);
  if (!input) throw new Error(`No input ${selector} in: ${host.textContent ?? ''}`);
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
