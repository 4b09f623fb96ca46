/** mulberry32: tiny seeded PRNG, so simulated readings repeat exactly for a given seed. */
export const createPrng = (seed: number) => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** Roughly normal (Irwin–Hall of 4 uniforms), mean 0, sd 1; bounded, so no wild outliers. */
  const gaussian = (): number => ((next() + next() + next() + next() - 2) / Math.sqrt(4 / 12));
  return { next, gaussian };
};
export type Prng = ReturnType<typeof createPrng>;
