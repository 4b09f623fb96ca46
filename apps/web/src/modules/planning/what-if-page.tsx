import { requirePageUser } from "@/server/page-auth";
import { WhatIfView } from "./components/what-if-view";

/** `/plan`: what the next plan would change, for every role (it only reads). */
export const WhatIfPage = async () => {
  await requirePageUser();
  return <WhatIfView />;
};
