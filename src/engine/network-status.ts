import type { NetworkStatus } from './types';

/** For runtimes without a notion of "offline" (Node): always online. */
export const alwaysOnline: NetworkStatus = {
  isOnline: () => true,
  subscribe: () => () => {},
};

/**
 * Browser edge: navigator.onLine and the window's online/offline events. Falls back to
 * alwaysOnline where they don't exist (SSR, Node, workers without events).
 */
export function browserNetworkStatus(): NetworkStatus {
  const target = globalThis as unknown as Partial<
    Pick<Window, 'addEventListener' | 'removeEventListener' | 'navigator'>
  >;
  if (typeof target.addEventListener !== 'function' || typeof target.navigator?.onLine !== 'boolean')
    return alwaysOnline;
  return {
    isOnline: () => target.navigator?.onLine !== false,
    subscribe(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      target.addEventListener?.('online', online);
      target.addEventListener?.('offline', offline);
      return () => {
        target.removeEventListener?.('online', online);
        target.removeEventListener?.('offline', offline);
      };
    },
  };
}
