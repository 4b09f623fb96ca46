import { getSiteSettings, setSiteTariff, updateSiteSettings } from "@rigshift/db";
import { ZTariffBody, ZUpdateSiteSettingsBody } from "@rigshift/protocol";
import { authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseBody, parseIdParam, route } from "../http";
import { auditEntryActor, PLANNING_WRITE } from "./planning-access";

/** A site's planning settings: power cap, energy source, curtailment rule, policy overrides, tariff. */
export const siteSettingsRoutes = (deps: ApiDeps) => ({
  /** GET /api/v1/sites/{id}/settings */
  getSiteSettings: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    const siteId = await parseIdParam(context);
    return json(await getSiteSettings(deps.db, siteId, deps.now()), 200, { "cache-control": "no-store" });
  }),

  /** PATCH /api/v1/sites/{id}/settings — { powerCapKw?, energySource?, curtailment?, policy? }; audited. */
  updateSiteSettings: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const siteId = await parseIdParam(context);
    const body = await parseBody(request, ZUpdateSiteSettingsBody);
    return json(await updateSiteSettings(deps.db, siteId, body, { actor: auditEntryActor(caller), now: deps.now() }));
  }),

  /** PUT /api/v1/sites/{id}/tariff — a new time-of-use tariff from validFrom (default now); 201 the tariff. */
  setSiteTariff: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const siteId = await parseIdParam(context);
    const body = await parseBody(request, ZTariffBody);
    return json(await setSiteTariff(deps.db, siteId, body, { actor: auditEntryActor(caller), now: deps.now() }), 201);
  }),
});
