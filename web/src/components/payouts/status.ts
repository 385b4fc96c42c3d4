import type { PayoutMethod, PayoutMethodStatus, PayoutProvider } from "@/api/payouts";
import type { BadgeProps } from "@/components/ui/badge";

export const PROVIDERS: { value: PayoutProvider; label: string; hint: string }[] = [
  {
    value: "stripe",
    label: "Bank account (Stripe)",
    hint: "Stripe checks your identity and bank account.",
  },
  { value: "mollie", label: "Bank account (Mollie)", hint: "Connect your Mollie organisation." },
  {
    value: "paypal",
    label: "PayPal",
    hint: "Paid to your PayPal e-mail address; we e-mail it a link to confirm.",
  },
  {
    value: "venmo",
    label: "Venmo (US only)",
    hint: "Paid in USD to your Venmo handle; we e-mail you a link to confirm.",
  },
  {
    value: "sandbox",
    label: "Sandbox (test payouts)",
    hint: "A test provider: you decide how its check ends.",
  },
];

export function providerLabel(provider: PayoutProvider): string {
  return PROVIDERS.find((item) => item.value === provider)?.label ?? provider;
}

/** Providers whose onboarding is a page of theirs; PayPal and Venmo confirm by e-mail. */
export function onboardsByPage(provider: PayoutProvider): boolean {
  return provider === "sandbox" || provider === "stripe" || provider === "mollie";
}

export const STATUS: Record<PayoutMethodStatus, { label: string; variant: BadgeProps["variant"] }> =
  {
    pending: { label: "Pending", variant: "warning" },
    needs_info: { label: "Needs more information", variant: "warning" },
    verified: { label: "Verified", variant: "success" },
    rejected: { label: "Rejected", variant: "destructive" },
  };

/** What the creator should do next about a method, in a sentence. */
export function nextStep(method: Pick<PayoutMethod, "status" | "provider">): string {
  const byMail = !onboardsByPage(method.provider);
  switch (method.status) {
    case "verified":
      return "Ready: withdrawals can go here.";
    case "pending":
      return byMail
        ? "Open the link we e-mailed to confirm this method (or send a new one)."
        : "Finish the provider's check: continue the onboarding.";
    case "needs_info":
      return "The provider needs more information: continue the onboarding.";
    case "rejected":
      return "The provider refused this account. Remove it and add another method.";
  }
}
