/** Query keys of the planner's data in the react-query cache. */
export const planKeys = {
  all: ["plans"] as const,
  latest: () => [...planKeys.all, "latest"] as const,
  preview: () => [...planKeys.all, "preview"] as const,
  gpu: (gpuId: string) => [...planKeys.all, "gpu", gpuId] as const,
  coins: () => [...planKeys.all, "coins"] as const,
};
