/**
 * Environment every launcher gives a gateway process (npm start, the benchmarks, Docker), on top of
 * its own. glibc gives each thread that allocates its own malloc arena; a gateway's V8 helper
 * threads then leave tens of MB of freed memory resident. Two arenas cut a 10,000-rig gateway's
 * RSS by about 40 MB (npm run bench -- agents) at no measurable CPU cost.
 */
export const GATEWAY_PROCESS_ENV = { MALLOC_ARENA_MAX: "2" } as const;
