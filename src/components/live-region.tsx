import { styles } from './styles';

export interface LiveRegionProps {
  /** Messages to announce, oldest first; a new entry is read out politely. */
  messages: readonly { id: number; text: string }[];
}

/** Always rendered (screen readers only announce changes to a region that already exists). */
export function LiveRegion({ messages }: LiveRegionProps) {
  return (
    <div className="s3u-live" role="status" aria-live="polite" style={styles.visuallyHidden}>
      {messages.map((message) => (
        <p key={message.id}>{message.text}</p>
      ))}
    </div>
  );
}
