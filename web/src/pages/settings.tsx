import type { ReactNode } from "react";
import { Link } from "react-router";
import { useMe } from "@/api/account";
import { DataExportSection } from "@/components/account/data-export";
import { DeleteAccountSection } from "@/components/account/delete-account";
import { EndOtherSessions } from "@/components/account/end-other-sessions";
import { AvatarSection } from "@/components/profile/avatar-section";
import { EmailSection } from "@/components/profile/email-section";
import { NotificationPreferences } from "@/components/profile/notification-preferences";
import { ProfileForm } from "@/components/profile/profile-form";
import { ChangePasswordForm, SessionList } from "@/components/profile/security-section";
import { ErrorState, PageLoading } from "@/components/states";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { formatDate } from "@/lib/format";

const ROLE_LABELS = {
  client: "Client",
  creator: "Creator",
  hybrid: "Client and creator",
  admin: "Administrator",
};

function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <Card aria-labelledby={id} role="region">
      <CardHeader>
        <h2 id={id} className="text-lg font-semibold">
          {title}
        </h2>
        {description && <CardDescription>{description}</CardDescription>}
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

/** Account settings (behind log-in): the account, the e-mail address, the picture, the
 * profile, notifications, the password, the sessions, the data export and deleting it all. */
export function Component() {
  const me = useMe();

  if (me.isPending) return <PageLoading label="Loading your account" />;
  if (me.isError && !me.data) {
    return (
      <ErrorState
        error={me.error}
        title="Could not load your account"
        onRetry={() => void me.refetch()}
      />
    );
  }
  const profile = me.data;
  const sells = profile.role !== "client";

  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-6">
      <title>Your account · ReelByte</title>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 className="text-2xl font-bold tracking-tight">Your account</h1>
        {sells && (
          <Link
            to={`/creators/${profile.id}`}
            className="text-sm font-medium text-primary underline-offset-4 hover:underline"
          >
            View your public profile
          </Link>
        )}
      </div>

      <Section id="account" title="Account">
        <dl className="grid grid-cols-1 gap-x-4 gap-y-3 text-sm sm:grid-cols-[9rem_1fr]">
          <dt className="text-muted-foreground">Username</dt>
          <dd>@{profile.username}</dd>
          <dt className="text-muted-foreground">Account type</dt>
          <dd>{ROLE_LABELS[profile.role]}</dd>
          <dt className="text-muted-foreground">Member since</dt>
          <dd>{formatDate(profile.member_since)}</dd>
        </dl>
      </Section>

      <Section
        id="email"
        title="E-mail address"
        description="A link goes to the new address; your account moves there when you follow it."
      >
        <EmailSection profile={profile} />
      </Section>

      <Section id="picture" title="Profile picture">
        <AvatarSection profile={profile} />
      </Section>

      <Section id="profile" title="Profile" description="What clients and creators see of you.">
        <ProfileForm key={profile.id} profile={profile} />
      </Section>

      <Section
        id="notifications"
        title="Notifications"
        description="Choose what you hear about, in the app and by e-mail."
      >
        <NotificationPreferences profile={profile} />
      </Section>

      <Section
        id="password"
        title="Password"
        description="Changing it logs out your other sessions."
      >
        <ChangePasswordForm />
      </Section>

      <Section
        id="sessions"
        title="Where you are logged in"
        description="Log out a device you do not recognise, or no longer use."
      >
        <div className="flex flex-col gap-3">
          <SessionList />
          <EndOtherSessions />
        </div>
      </Section>

      <Section
        id="export"
        title="Your data"
        description="A ZIP of everything ReelByte holds about you, as JSON; the link lasts 24 hours."
      >
        <DataExportSection />
      </Section>

      <Section id="delete" title="Delete your account">
        <DeleteAccountSection username={profile.username} />
      </Section>
    </div>
  );
}
Component.displayName = "SettingsPage";
