import { useLocation } from "react-router";

/** What a page that sent us here wants said (`navigate(to, { state: { notice } })`). */
export function useNotice(): string | null {
  const { state } = useLocation();
  const notice = (state as { notice?: unknown } | null)?.notice;
  return typeof notice === "string" ? notice : null;
}
