export { Decimal } from "decimal.js";
export * from "./local-time";
export * from "./tariff-price";
export * from "./book-gpu-hour";
export * from "./allocate-rounding";
