// Which rows of a long list to render (the rest are spacers): the list stays fast with 50,000
// entries because only what is visible, plus a margin, is in the page.

export interface VirtualWindow {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

export function virtualWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 6): VirtualWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(viewport / rowHeight) + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: Math.max(0, count - end) * rowHeight };
}

/** Keeps row `index` in view: the scrollTop to use, or `null` when it already is. */
export function scrollToShow(index: number, scrollTop: number, viewport: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return null;
}

/** Where the active row of a list moves for a key (arrows, pages of `page` rows, Home, End), or
 * `null` when the key does not move it. */
export function moveActive(key: string, active: number, count: number, page = 6): number | null {
  if (count === 0) return null;
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
  let next: number;
  if (key in moves) next = active + (moves[key] ?? 0);
  else if (key === "Home") next = 0;
  else if (key === "End") next = count - 1;
  else return null;
  return Math.min(count - 1, Math.max(0, next));
}
