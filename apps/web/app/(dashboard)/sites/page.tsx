export { SitesPage as default } from "@/modules/sites/sites-page";
