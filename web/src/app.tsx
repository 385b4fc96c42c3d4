import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { ApiClient } from "@/api/client";
import { ApiContext } from "@/api/context";
import { AuthProvider } from "@/auth/auth-provider";
import { MotionProvider } from "@/components/motion";

/** The providers every page needs: the API client, server state, who is logged in, motion. */
export function AppProviders({
  api,
  queryClient,
  children,
}: {
  api: ApiClient;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  return (
    <ApiContext value={api}>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <MotionProvider>{children}</MotionProvider>
        </AuthProvider>
      </QueryClientProvider>
    </ApiContext>
  );
}
