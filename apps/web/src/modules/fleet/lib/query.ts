/** Query keys of the fleet's react-query cache; /live pushes land under the same keys. */
export const fleetKeys = {
  all: ["fleet"] as const,
  sites: () => [...fleetKeys.all, "sites"] as const,
  rigs: () => [...fleetKeys.all, "rigs"] as const,
  gpus: () => [...fleetKeys.all, "gpus"] as const,
  gpu: (gpuId: string) => [...fleetKeys.all, "gpu", gpuId] as const,
  samples: (gpuId: string) => [...fleetKeys.all, "gpu", gpuId, "samples"] as const,
};

export const commandKeys = {
  detail: (commandId: string) => ["commands", commandId] as const,
};
