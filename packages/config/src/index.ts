export * from "./shared";
export * from "./gateway";
export * from "./scheduler";
export * from "./web";
export * from "./agent";
