export { GpuPage as default } from "@/modules/gpu/gpu-page";
