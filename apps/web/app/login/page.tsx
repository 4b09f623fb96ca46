export { LoginPage as default } from "@/modules/auth/login-page";
