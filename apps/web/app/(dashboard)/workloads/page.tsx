export { WorkloadsPage as default } from "@/modules/workloads/workloads-page";
