export { startGateway, type Gateway, type GatewayDeps } from "./server";
export { createLog } from "./log";
