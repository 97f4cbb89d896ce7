// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { isUserActivation } from './hold-activation.ts';

/** An event as the browser reports it: `isTrusted` is set by the browser, never by a page. */
function reported(type: string, isTrusted: boolean): Event {
  const event = new Event(type);
  Object.defineProperty(event, 'isTrusted', { value: isTrusted });
  return event;
}

function navigatorWith(userActivation: unknown): Navigator {
  return Object.assign(Object.create(navigator), { userActivation });
}

describe('isUserActivation: was the connect click the user’s?', () => {
  it.each([
    ['a page script’s click()', reported('click', false), { isActive: true }, false],
    ['a page script’s dispatched keydown', reported('keydown', false), { isActive: true }, false],
    ['the user’s click', reported('click', true), { isActive: false }, true],
    ['the user’s Enter', reported('keydown', true), { isActive: false }, true],
    ['a submit after the user’s click or Enter', reported('submit', true), { isActive: true }, true],
    ['a page script’s requestSubmit() with no gesture (trusted event, no activation)', reported('submit', true), { isActive: false }, false],
    ['a trusted submit where the browser has no userActivation', reported('submit', true), undefined, true],
  ] as const)('%s → %s', (_name, event, activation, expected) => {
    expect(isUserActivation(event, navigatorWith(activation))).toBe(expected);
  });
});
