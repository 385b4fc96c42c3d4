import { useAuth } from "@/auth/auth-context";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { formatDate } from "@/lib/format";

const ROLE_LABELS = {
  client: "Client",
  creator: "Creator",
  hybrid: "Client and creator",
  admin: "Administrator",
};

/** Account settings (behind log-in): who you are, for now; editing comes in a later slice. */
export function Component() {
  const { user } = useAuth();
  if (!user) return null;
  return (
    <div className="mx-auto flex w-full max-w-xl flex-col gap-4">
      <title>Your account · ReelByte</title>
      <h1 className="text-2xl font-bold tracking-tight">Your account</h1>
      <Card>
        <CardHeader>
          <h2 className="text-lg font-semibold">{user.full_name}</h2>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
            <dt className="text-muted-foreground">Username</dt>
            <dd>@{user.username}</dd>
            <dt className="text-muted-foreground">E-mail</dt>
            <dd>
              {user.email} {user.email_verified ? "" : "(not verified yet)"}
            </dd>
            <dt className="text-muted-foreground">Account type</dt>
            <dd>{ROLE_LABELS[user.role]}</dd>
            <dt className="text-muted-foreground">Member since</dt>
            <dd>{formatDate(user.member_since)}</dd>
          </dl>
        </CardContent>
      </Card>
    </div>
  );
}
Component.displayName = "SettingsPage";
