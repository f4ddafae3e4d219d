// Browser edge: "this page may be about to go away". Nothing happens where there is no page
// (Node, SSR, workers without documents).

/**
 * Calls `listener` when the page is hidden (`visibilitychange` to hidden: tab switched, app
 * backgrounded, often the last event a mobile page gets) or unloaded (`pagehide`: reload,
 * navigation, close). Returns an unsubscribe function; a no-op where there is no page.
 */
export function onPageHidden(listener: () => void): () => void {
  const win = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  const doc = (globalThis as { document?: Document }).document;
  if (typeof win.addEventListener !== 'function') return () => {};
  const onVisibility = () => {
    if (doc?.visibilityState === 'hidden') listener();
  };
  win.addEventListener('pagehide', listener);
  doc?.addEventListener?.('visibilitychange', onVisibility);
  return () => {
    win.removeEventListener?.('pagehide', listener);
    doc?.removeEventListener?.('visibilitychange', onVisibility);
  };
}
