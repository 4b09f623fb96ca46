import { prepareTemplateDatabase } from "@rigshift/db/testing";

/** Once per run: rebuild the migrated template every test file clones its database from. */
export default async function setup() {
  await prepareTemplateDatabase();
}
