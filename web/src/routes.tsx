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
      { path: "creators/:userId", lazy: () => import("@/pages/creator") },
      { path: "projects", lazy: () => import("@/pages/projects") },
      { path: "projects/:projectId", lazy: () => import("@/pages/project") },
      { path: "verify-email", lazy: () => import("@/pages/verify-email") },
      { path: "confirm-email", lazy: () => import("@/pages/confirm-email") },
      { path: "forgot-password", lazy: () => import("@/pages/forgot-password") },
      { path: "reset-password", lazy: () => import("@/pages/reset-password") },
      { path: "payout-methods/confirm", lazy: () => import("@/pages/payout-method-confirm") },
      {
        element: <RequireAuth />,
        children: [
          { path: "orders", lazy: () => import("@/pages/orders") },
          { path: "orders/new", lazy: () => import("@/pages/order-new") },
          { path: "orders/:orderId", lazy: () => import("@/pages/order") },
          { path: "projects/new", lazy: () => import("@/pages/project-editor") },
          { path: "projects/mine", lazy: () => import("@/pages/projects-mine") },
          { path: "projects/:projectId/edit", lazy: () => import("@/pages/project-editor") },
          // Where the notifications point: a project's proposals, and one proposal.
          { path: "projects/:projectId/proposals", lazy: () => import("@/pages/project") },
          { path: "proposals/mine", lazy: () => import("@/pages/projects-my-proposals") },
          { path: "proposals/:proposalId", lazy: () => import("@/pages/proposal") },
          { path: "dashboard", lazy: () => import("@/pages/dashboard") },
          { path: "dashboard/gigs/new", lazy: () => import("@/pages/gig-editor") },
          { path: "dashboard/gigs/:gig/edit", lazy: () => import("@/pages/gig-editor") },
          { path: "earnings", lazy: () => import("@/pages/earnings") },
          { path: "studio", lazy: () => import("@/pages/video-tools") },
          { path: "notifications", lazy: () => import("@/pages/notifications") },
          { path: "messages", lazy: () => import("@/pages/messages") },
          { path: "messages/:conversationId", lazy: () => import("@/pages/messages") },
          { path: "settings", lazy: () => import("@/pages/settings") },
          { path: "settings/payouts", lazy: () => import("@/pages/payouts") },
          { path: "settings/developers", lazy: () => import("@/pages/developers") },
          { path: "billing", lazy: () => import("@/pages/billing") },
          {
            path: "admin",
            lazy: () => import("@/pages/admin"),
            children: [
              { index: true, lazy: () => import("@/pages/admin-users") },
              { path: "reports", lazy: () => import("@/pages/admin-reports") },
              { path: "disputes", lazy: () => import("@/pages/admin-disputes") },
              { path: "reviews", lazy: () => import("@/pages/admin-reviews") },
              { path: "audit", lazy: () => import("@/pages/admin-audit") },
              { path: "analytics", lazy: () => import("@/pages/admin-analytics") },
            ],
          },
        ],
      },
      { path: "*", lazy: () => import("@/pages/not-found") },
    ],
  },
];
