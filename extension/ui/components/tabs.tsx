/**
 * Tabs as the WAI-ARIA Authoring Practices describe them
 * (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): a `tablist` of `tab` buttons, one `tabpanel`
 * each. Only the selected tab is in the Tab order; Left and Right arrows move to the previous and
 * next tab (wrapping), Home and End to the first and last, and the focused tab is selected at once
 * (the panels show without waiting).
 *
 * A panel is rendered the first time its tab is selected and then kept, hidden, so what the user
 * typed or started in it is still there when they come back.
 */
import type { JSX } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabDefinition<K extends string> {
  readonly key: K;
  /** The tab's accessible name (and its visible text). */
  readonly label: string;
  readonly render: () => JSX.Element;
}

export interface TabsProps<K extends string> {
  readonly tabs: readonly TabDefinition<K>[];
  readonly selected: K;
  readonly onSelect: (key: K) => void;
  /** Accessible name of the tab list. */
  readonly label: string;
  /** Prefix of the tabs' and panels' element ids (unique per page). */
  readonly idPrefix: string;
}

export function Tabs<K extends string>({ tabs, selected, onSelect, label, idPrefix }: TabsProps<K>): JSX.Element {
  const buttons = useRef(new Map<K, HTMLButtonElement>());
  /** Tabs selected at least once: their panels stay rendered. */
  const visited = useRef(new Set<K>());
  visited.current.add(selected);

  function move(event: KeyboardEvent, from: number): void {
    const last = tabs.length - 1;
    const to = event.key === 'ArrowRight' ? (from === last ? 0 : from + 1) : event.key === 'ArrowLeft' ? (from === 0 ? last : from - 1) : event.key === 'Home' ? 0 : event.key === 'End' ? last : undefined;
    const next = to === undefined ? undefined : tabs[to];
    if (next === undefined) return;
    event.preventDefault();
    onSelect(next.key);
    buttons.current.get(next.key)?.focus();
  }

  return (
    <div class="tabs">
      <div role="tablist" aria-label={label} class="tablist">
        {tabs.map((tab, index) => {
          const isSelected = tab.key === selected;
          return (
            <button
              key={tab.key}
              ref={(element) => {
                if (element) buttons.current.set(tab.key, element);
                else buttons.current.delete(tab.key);
              }}
              type="button"
              role="tab"
              id={`${idPrefix}-tab-${tab.key}`}
              aria-selected={isSelected}
              aria-controls={`${idPrefix}-panel-${tab.key}`}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => onSelect(tab.key)}
              onKeyDown={(event) => move(event, index)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.key}
          role="tabpanel"
          id={`${idPrefix}-panel-${tab.key}`}
          aria-labelledby={`${idPrefix}-tab-${tab.key}`}
          class="tabpanel"
          // APG: a panel is a tab stop, so the keyboard reaches it even when it starts with text, not a control.
          tabIndex={0}
          hidden={tab.key !== selected}
        >
          {visited.current.has(tab.key) ? tab.render() : null}
        </div>
      ))}
    </div>
  );
}
