/** Longest line kept; a miner printing a progress bar without newlines must not grow memory. */
const MAX_LINE_CHARS = 2_000;

/**
 * The last `capacity` lines of one or more output streams, in the order they completed. Each
 * stream keeps its own unfinished line, so stdout and stderr never splice into one line.
 */
export const createLineTail = (capacity: number) => {
  const lines: string[] = [];
  const partial = new Map<string, string>();

  const push = (line: string) => {
    lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
    if (lines.length > capacity) lines.shift();
  };

  return {
    write: (stream: string, chunk: string) => {
      const parts = ((partial.get(stream) ?? "") + chunk).split(/\r?\n/);
      const rest = parts.pop() ?? "";
      for (const p of parts) push(p);
      partial.set(stream, rest.length > MAX_LINE_CHARS ? rest.slice(-MAX_LINE_CHARS) : rest);
    },
    /** Lines so far, plus each stream's unfinished last line. */
    lines: (): string[] => {
      const tails = [...partial.values()].filter((p) => p.length > 0);
      return [...lines, ...tails].slice(-capacity);
    },
  };
};
