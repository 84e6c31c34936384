import type { Clock } from '../../src/daemon/clock.js';

/** A clock that moves only when told to; sleepers wake in deadline order. */
export class FakeClock implements Clock {
  private ms = Date.parse('2026-11-27T12:00:00Z');
  private readonly sleepers = new Set<{ until: number; wake: () => void }>();

  now = (): Date => new Date(this.ms);

  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const sleeper = {
        until: this.ms + ms,
        wake: () => {
          this.sleepers.delete(sleeper);
          signal.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal.addEventListener('abort', sleeper.wake, { once: true });
    });

  /** The delays the loop is sleeping now, from the current time. */
  pending(): number[] {
    return [...this.sleepers].map((sleeper) => sleeper.until - this.ms);
  }

  /** Moves time forward and lets every sleeper whose deadline passed, and what it starts, run. */
  async advance(ms: number): Promise<void> {
    this.ms += ms;
    for (const sleeper of [...this.sleepers]) if (sleeper.until <= this.ms) sleeper.wake();
    await settle();
  }
}

/** Lets pending promise callbacks and I/O-free timers run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
