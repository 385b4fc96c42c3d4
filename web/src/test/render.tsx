/** Render the whole app (providers, routes, lazy pages) at a path, over a FakeApi. */
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { createApiClient } from "@/api/client";
import { AppProviders } from "@/app";
import { createQueryClient } from "@/query-client";
import { routes } from "@/routes";
import { apiError, type FakeApi } from "./fake-api";

/** No refresh cookie: the visitor is anonymous. */
export function anonymous(api: FakeApi): FakeApi {
  return api.on("POST /v1/auth/refresh", () =>
    apiError(401, "missing_refresh_token", "Send a refresh token in the body or the cookie."),
  );
}

export function renderApp(path: string, api: FakeApi) {
  const reelbyte = createApiClient({ baseUrl: "http://reelbyte.test", fetch: api.fetch });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    queries: { ...queryClient.getDefaultOptions().queries, retry: false },
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const user = userEvent.setup();
  const view = render(
    <AppProviders api={reelbyte} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...view, router, user, reelbyte, queryClient };
}
