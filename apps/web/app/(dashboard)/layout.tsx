export { DashboardLayout as default } from "@/modules/shell/dashboard-layout";
