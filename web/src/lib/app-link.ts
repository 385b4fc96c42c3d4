import { matchRoutes } from "react-router";
import { routes } from "@/routes";

/** A link from the API (a notification's `link`) when it leads to a page of this app: a path on
 * this site that a route other than "not found" answers; else null, and it shows as plain text
 * (the API links to pages the app may not have yet). */
export function appLink(link: string | null): string | null {
  if (!link || !link.startsWith("/") || link.startsWith("//") || link.startsWith("/\\")) {
    return null;
  }
  const path = new URL(link, "http://app.invalid").pathname;
  const page = matchRoutes(routes, path)?.at(-1);
  return page && page.route.path !== "*" ? link : null;
}
