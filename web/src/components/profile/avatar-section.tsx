import { useSetAvatar } from "@/api/account";
import { errorMessage } from "@/api/errors";
import type { PrivateProfile } from "@/api/queries";
import { Avatar } from "@/components/avatar";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Uploader } from "@/components/uploader";

/** The profile picture: upload an image (purpose `avatar`), shown once the API made its
 * 200x200 version; or remove it. */
export function AvatarSection({ profile }: { profile: PrivateProfile }) {
  const setAvatar = useSetAvatar();
  return (
    <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
      <Avatar name={profile.full_name} url={profile.avatar_url} className="size-24 text-3xl" />
      <div className="flex min-w-0 flex-1 flex-col gap-3">
        <Uploader
          kind="image"
          purpose="avatar"
          label="Upload a new picture"
          disabled={setAvatar.isPending}
          onUploaded={(upload) => setAvatar.mutate(upload)}
        />
        <div className="flex flex-wrap items-center gap-3">
          {profile.avatar_url && (
            <Button
              variant="outline"
              size="sm"
              disabled={setAvatar.isPending}
              onClick={() => setAvatar.mutate(null)}
            >
              Remove picture
            </Button>
          )}
          <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
            {setAvatar.isPending && (
              <>
                <Spinner className="size-4" />
                Updating your picture…
              </>
            )}
            {setAvatar.isSuccess && "Your picture is updated."}
          </p>
        </div>
        {setAvatar.isError && (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(setAvatar.error)}
          </p>
        )}
      </div>
    </div>
  );
}
