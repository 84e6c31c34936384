import { randomUUID } from 'node:crypto';
import type { Publisher } from './publisher.js';

/**
 * Reads back every retained message under `filters`. The broker sends retained messages right after a
 * subscription; a marker we publish to ourselves afterwards arrives behind them, which tells us the
 * read is complete without guessing a quiet period.
 */
export async function readRetained(
  publisher: Publisher,
  filters: readonly string[],
  markerTopic: string,
  timeoutMs: number,
): Promise<{ readonly messages: Map<string, string>; readonly complete: boolean }> {
  const messages = new Map<string, string>();
  const nonce = randomUUID();
  let markerSeen: () => void = () => undefined;
  const marker = new Promise<void>((resolve) => {
    markerSeen = resolve;
  });
  const stop = publisher.onMessage((message) => {
    if (message.topic === markerTopic && message.payload === nonce) markerSeen();
    else if (message.retained) messages.set(message.topic, message.payload);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await publisher.subscribe([...filters, markerTopic]);
    await publisher.publish(markerTopic, nonce, { retain: false });
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const complete = await Promise.race([marker.then(() => true as const), timedOut]);
    return { messages, complete };
  } finally {
    clearTimeout(timer);
    stop();
    // Stay subscribed to nothing here: later traffic on these filters would be our own echo.
    await publisher.unsubscribe([...filters, markerTopic]).catch(() => undefined);
  }
}
