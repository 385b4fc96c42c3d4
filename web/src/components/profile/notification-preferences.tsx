import { useState } from "react";
import { useUpdateProfile } from "@/api/account";
import { errorMessage } from "@/api/errors";
import type { PrivateProfile } from "@/api/queries";
import { Switch } from "@/components/ui/switch";

type Channel = "in_app" | "email";
type Preferences = PrivateProfile["notification_preferences"];

/** The notification types the API sends (notifications/handlers.py, messages.py). The API
 * has no endpoint listing them, so they are named here. */
const GROUPS: { title: string; types: [type: string, label: string][] }[] = [
  {
    title: "Orders",
    types: [
      ["order_paid", "An order was paid"],
      ["order_delivered", "An order was delivered"],
      ["order_revision_requested", "A revision was requested"],
      ["order_completed", "An order was completed"],
      ["order_cancellation_requested", "A cancellation was requested"],
      ["order_cancelled", "An order was cancelled"],
      ["order_disputed", "A dispute was opened"],
      ["order_dispute_resolved", "A dispute was resolved"],
      ["order_milestones_planned", "Milestones were planned"],
      ["order_milestone_funded", "A milestone was funded"],
      ["order_milestone_submitted", "A milestone was submitted"],
      ["order_milestone_approved", "A milestone was approved"],
      ["order_milestone_rejected", "A milestone was sent back"],
      ["order_milestones_edited", "Milestones were edited"],
      ["order_refund_requested", "A refund was asked for"],
      ["order_refund_accepted", "A refund request was accepted"],
      ["order_refund_declined", "A refund request was declined"],
      ["order_refund_cancelled", "A refund request was withdrawn"],
      ["order_refund_sent", "A refund was sent"],
      ["order_delivery_comment", "A comment on a delivery"],
      ["delivery_spec_failed", "My delivered video missed the package's spec"],
      ["delivery_spec_checked", "My delivered video was checked"],
    ],
  },
  {
    title: "Messages",
    types: [["message_received", "New messages (by e-mail: a digest of unread ones)"]],
  },
  {
    title: "Projects",
    types: [
      ["proposal_received", "A proposal was received"],
      ["proposal_accepted", "My proposal was accepted"],
      ["proposal_rejected", "My proposal was declined"],
      ["project_invited", "I was invited to a project"],
    ],
  },
  {
    title: "Reviews and payouts",
    types: [
      ["review_received", "A review was received"],
      ["review_reply_received", "A reply to my review"],
      ["payout_paid", "A payout was paid"],
      ["payout_method_required", "A scheduled payout needs a verified payout method"],
    ],
  },
  {
    title: "Plan and account",
    types: [
      ["usage_limit", "I used 80 % or all of a plan's limit"],
      ["video_clip_attachment_failed", "A video tool's clip could not be attached"],
      ["moderation_warning", "A warning from the moderators"],
    ],
  },
];

const EMAIL_BY_DEFAULT = ["order_", "payment_", "payout_", "usage_"];
const EMAILED_BY_DEFAULT = ["message_received", "delivery_spec_failed"];

/** As notifications/service.py `wants`: in the app unless switched off; by e-mail by default
 * for orders, payments, payouts, usage limits, messages and a delivery to fix. */
function wants(preferences: Preferences, type: string, channel: Channel): boolean {
  const chosen = preferences[type]?.[channel];
  if (typeof chosen === "boolean") return chosen;
  if (channel === "in_app") return true;
  return (
    EMAILED_BY_DEFAULT.includes(type) || EMAIL_BY_DEFAULT.some((prefix) => type.startsWith(prefix))
  );
}

/** Switches that save as they are flipped (the whole map is sent: the API replaces it). */
export function NotificationPreferences({ profile }: { profile: PrivateProfile }) {
  const update = useUpdateProfile();
  // What was flipped and not yet saved, shown at once; forgotten when the API answers.
  const [pending, setPending] = useState<Preferences | null>(null);
  const shown = pending ?? profile.notification_preferences;

  const change = (type: string, channel: Channel, on: boolean) => {
    const next: Preferences = {
      ...shown,
      [type]: {
        in_app: wants(shown, type, "in_app"),
        email: wants(shown, type, "email"),
        [channel]: on,
      },
    };
    setPending(next);
    update.mutate(
      { notification_preferences: next },
      { onSettled: () => setPending((current) => (current === next ? null : current)) },
    );
  };

  return (
    <div className="flex flex-col gap-6">
      {GROUPS.map((group) => (
        <fieldset key={group.title} className="flex flex-col">
          <legend className="mb-2 text-sm font-semibold">{group.title}</legend>
          <div
            className="grid grid-cols-[1fr_4.5rem_4.5rem] items-center gap-x-2 text-xs text-muted-foreground"
            aria-hidden="true"
          >
            <span />
            <span className="text-center">In the app</span>
            <span className="text-center">E-mail</span>
          </div>
          <ul className="divide-y">
            {group.types.map(([type, label]) => (
              <li
                key={type}
                className="grid grid-cols-[1fr_4.5rem_4.5rem] items-center gap-x-2 py-2 text-sm"
              >
                <span>{label}</span>
                {(["in_app", "email"] as const).map((channel) => (
                  <span key={channel} className="flex justify-center">
                    <Switch
                      checked={wants(shown, type, channel)}
                      onCheckedChange={(on) => change(type, channel, on)}
                      aria-label={`${label}: ${channel === "in_app" ? "in the app" : "by e-mail"}`}
                    />
                  </span>
                ))}
              </li>
            ))}
          </ul>
        </fieldset>
      ))}
      <p role="status" className="text-sm text-muted-foreground">
        {update.isPending ? "Saving…" : update.isSuccess ? "Saved." : ""}
      </p>
      {update.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(update.error)}
        </p>
      )}
    </div>
  );
}
