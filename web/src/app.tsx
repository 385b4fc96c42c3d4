import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { ApiClient } from "@/api/client";
import { ApiContext } from "@/api/context";
import { AuthProvider } from "@/auth/auth-provider";

/** The providers every page needs: the API client, server state and who is logged in. */
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
        <AuthProvider>{children}</AuthProvider>
      </QueryClientProvider>
    </ApiContext>
  );
}
