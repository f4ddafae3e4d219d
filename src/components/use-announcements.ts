import { useCallback, useRef, useState } from 'react';

const KEEP = 5;

/** A short rolling list of announcements for a LiveRegion; each gets a new key so repeats are read too. */
export function useAnnouncements() {
  const [messages, setMessages] = useState<readonly { id: number; text: string }[]>([]);
  const counter = useRef(0);
  const announce = useCallback((text: string) => {
    counter.current += 1;
    const id = counter.current;
    setMessages((current) => [...current.slice(-(KEEP - 1)), { id, text }]);
  }, []);
  return { messages, announce };
}
