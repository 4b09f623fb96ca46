// Market traces (issue #6): CSV text in, typed rows with decimals out, no I/O. Used by the
// simulator and by CSV upload; a bad file gets an error naming its line and column.
export * from "./trace-error";
export * from "./parse-coin-trace";
export * from "./parse-energy-trace";
export * from "./parse-gpu-rental-trace";
export * from "./parse-gpu-hashrate-table";
export * from "./parse-fx-trace";
