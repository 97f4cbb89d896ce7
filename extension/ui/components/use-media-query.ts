/**
 * Whether a CSS media query matches, kept up to date as the window is resized. The popup and the
 * popup opened as a tab are the same page: the layout follows the width, as ui.css does.
 */
import { useEffect, useState } from 'preact/hooks';

/** Wide enough for a list and its details side by side (the same breakpoint as ui.css). */
export const WIDE_LAYOUT_QUERY = '(min-width: 900px)';

function matches(query: string): boolean {
  return typeof matchMedia === 'function' && matchMedia(query).matches;
}

export function useMediaQuery(query: string): boolean {
  const [matched, setMatched] = useState(() => matches(query));
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const list = matchMedia(query);
    const update = (): void => setMatched(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matched;
}
