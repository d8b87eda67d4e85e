/** The roles a user or key can hold, weakest first, with what each may do. */
import type { Schemas } from "../../api/client";

export type UserRole = Schemas["UserInfo"]["role"];
export const ROLES: readonly UserRole[] = ["viewer", "trader", "admin"];
export const ROLE_HINT: Record<UserRole, string> = {
  viewer: "reads charts, news and alerts",
  trader: "also runs backtests and edits rules",
  admin: "also manages feeds, users and keys",
};
