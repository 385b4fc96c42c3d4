import { createContext, use } from "react";
import type { ApiClient } from "./client";

/** The app's API client; tests give their own (with a fake fetch). */
export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = use(ApiContext);
  if (api === null) throw new Error("useApi() needs an <ApiContext> above it");
  return api;
}
