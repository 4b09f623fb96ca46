export { SiteSettingsPage as default } from "@/modules/sites/site-settings-page";
