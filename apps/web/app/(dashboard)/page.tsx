export { FleetPage as default } from "@/modules/fleet/fleet-page";
