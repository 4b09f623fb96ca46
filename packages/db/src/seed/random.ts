/**
 * A seeded random source (mulberry32): the demo farm comes out the same on every machine, so a
 * screenshot or a bug report about "boden-r02 GPU 3" means the same card everywhere.
 */
export type Random = {
  /** Uniform in [0, 1). */
  next: () => number;
  /** Normally distributed, mean 0, standard deviation 1. */
  gaussian: () => number;
  /** Hex digits, for ids that look like the real ones. */
  hex: (digits: number) => string;
};

export const createRandom = (seed: number): Random => {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = () => {
    // Box–Muller; 1 - next() keeps the logarithm away from 0.
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(next() * 16).toString(16)).join("");
  return { next, gaussian, hex };
};
