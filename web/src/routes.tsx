import type { RouteObject } from "react-router";
import { RequireAuth } from "@/auth/require-auth";
import { Layout } from "@/components/layout";
import { RouteError } from "@/components/route-error";
import { PageLoading } from "@/components/states";

/** Every page is its own chunk (`lazy`), loaded when its route is first visited. */
export const routes: RouteObject[] = [
  {
    path: "/",
    element: <Layout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <PageLoading />,
    children: [
      { index: true, lazy: () => import("@/pages/home") },
      { path: "login", lazy: () => import("@/pages/login") },
      { path: "signup", lazy: () => import("@/pages/signup") },
      { path: "search", lazy: () => import("@/pages/search") },
      { path: "gigs/:slug", lazy: () => import("@/pages/gig") },
      {
        element: <RequireAuth />,
        children: [
          { path: "orders/new", lazy: () => import("@/pages/order-new") },
          { path: "settings", lazy: () => import("@/pages/settings") },
        ],
      },
      { path: "*", lazy: () => import("@/pages/not-found") },
    ],
  },
];
