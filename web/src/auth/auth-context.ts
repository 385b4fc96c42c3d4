import { createContext, use } from "react";
import type { PrivateProfile } from "@/api/queries";
import type { components } from "@/api/schema";

export type RegisterRequest = components["schemas"]["RegisterRequest"];

export type AuthState =
  | { status: "loading" }
  /** `reason`: why a session ended (the API's code, `logout`, `ended_elsewhere`), if one did;
   * `message`: the API's words for it (a suspension's reason). */
  | { status: "anonymous"; reason?: string; message?: string }
  | { status: "authenticated"; user: PrivateProfile };

export interface Auth {
  state: AuthState;
  user: PrivateProfile | null;
  login(email: string, password: string): Promise<void>;
  /** Creates the account, then logs in with it. */
  register(data: RegisterRequest): Promise<void>;
  logout(): Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = use(AuthContext);
  if (auth === null) throw new Error("useAuth() needs an <AuthProvider> above it");
  return auth;
}
