/** A one-line progress bar on stderr, only when stderr is a terminal. */
import type { WriteStream } from "node:tty";

export class Progress {
  readonly #out: WriteStream | undefined;
  readonly #totalBytes: number | undefined;
  readonly #started = Date.now();
  #lastDraw = 0;
  #lines = 0;
  #bytes = 0;

  /** `out` undefined (or not a TTY): every method does nothing. */
  constructor(out: WriteStream | undefined, totalBytes?: number) {
    this.#out = out?.isTTY ? out : undefined;
    this.#totalBytes = totalBytes && totalBytes > 0 ? totalBytes : undefined;
  }

  update(lines: number, bytes: number): void {
    this.#lines = lines;
    this.#bytes = bytes;
    const now = Date.now();
    if (this.#out && now - this.#lastDraw >= 100) {
      this.#lastDraw = now;
      this.#draw();
    }
  }

  done(): void {
    if (!this.#out) return;
    this.#draw();
    this.#out.write("\n");
  }

  #draw(): void {
    const out = this.#out!;
    const secs = Math.max((Date.now() - this.#started) / 1000, 1e-3);
    const rate = `${(this.#lines / secs).toFixed(1)} lines/s`;
    let line: string;
    if (this.#totalBytes) {
      const frac = Math.min(1, this.#bytes / this.#totalBytes);
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 45));
      const filled = Math.round(frac * width);
      line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${this.#lines} lines ${rate}`;
    } else {
      line = `${this.#lines} lines ${rate}`;
    }
    out.write(`\r\x1b[K${line}`);
  }
}
