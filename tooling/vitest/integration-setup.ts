import { prepareTemplateDatabase } from "@rigshift/db/testing";

/** Once per run: build this run's migrated template, which every test file clones its database from. */
export default async function setup() {
  const dropTemplate = await prepareTemplateDatabase();
  return async () => {
    await dropTemplate();
  };
}
