/** Requests a bench server received, by "METHOD /path" (preflights included as OPTIONS). */
export class RequestCounter {
  private counts = new Map<string, number>();

  record(method: string, url: string): void {
    const path = url.split('?')[0] ?? url;
    const key = `${method} ${path}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.counts.clear();
  }

  snapshot(): { total: number; preflights: number; byRoute: Record<string, number> } {
    let total = 0;
    let preflights = 0;
    for (const [key, n] of this.counts) {
      total += n;
      if (key.startsWith('OPTIONS ')) preflights += n;
    }
    return { total, preflights, byRoute: Object.fromEntries(this.counts) };
  }
}
