export { WhatIfPage as default } from "@/modules/planning/what-if-page";
