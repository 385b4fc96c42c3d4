import { useSessions } from "@/api/account";
import { errorMessage } from "@/api/errors";
import { useEndOtherSessions } from "@/api/sessions";
import { FormAlert } from "@/components/form-field";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { plural } from "@/lib/format";

/** Log out every device but this one, in one go. */
export function EndOtherSessions() {
  const sessions = useSessions();
  const end = useEndOtherSessions();
  const others = sessions.data?.filter((session) => !session.current).length ?? 0;
  if (others === 0 && !end.isSuccess) return null;
  return (
    <div className="flex flex-col gap-2">
      <FormAlert message={end.isError ? errorMessage(end.error) : null} />
      {end.isSuccess && others === 0 ? (
        <p role="status" className="text-sm text-emerald-700">
          Your other sessions were logged out.
        </p>
      ) : (
        <Button
          variant="outline"
          className="self-start"
          disabled={end.isPending || !sessions.data}
          onClick={() => sessions.data && end.mutate(sessions.data)}
        >
          {end.isPending && <Spinner className="size-4" />}
          Log out {plural(others, "other session")}
        </Button>
      )}
    </div>
  );
}
