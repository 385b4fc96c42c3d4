import { useState } from "react";
import { useRotateEndpointSecret, type WebhookEndpoint } from "@/api/developers";
import { errorMessage } from "@/api/errors";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { ShownOnceDialog } from "./shown-once-dialog";

/** A new signing secret after a confirmation, shown once. */
export function RotateSecret({ endpoint }: { endpoint: WebhookEndpoint }) {
  const rotate = useRotateEndpointSecret();
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      {confirming ? (
        <div className="flex basis-full flex-col gap-2 rounded-md border bg-muted px-3 py-2">
          <p className="text-sm">
            The current secret stops signing at once: deliveries from now on are signed with the new
            one, so update your receiver right away.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="destructive"
              disabled={rotate.isPending}
              onClick={() =>
                rotate.mutate(endpoint.id, {
                  onSuccess: (result) => setSecret(result.secret),
                  onSettled: () => setConfirming(false),
                })
              }
            >
              {rotate.isPending && <Spinner className="size-3" />}
              Rotate the secret of {endpoint.url}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
              Keep the current secret
            </Button>
          </div>
        </div>
      ) : (
        <Button size="sm" variant="outline" onClick={() => setConfirming(true)}>
          Rotate secret
        </Button>
      )}
      {rotate.error && (
        <p role="alert" className="basis-full text-sm text-destructive">
          {errorMessage(rotate.error)}
        </p>
      )}
      <ShownOnceDialog
        title="Your endpoint's new signing secret"
        label="Signing secret"
        value={secret}
        onClose={() => setSecret(null)}
      >
        <p className="text-sm">
          The old secret no longer signs deliveries to{" "}
          <span className="break-all">{endpoint.url}</span>.
        </p>
      </ShownOnceDialog>
    </>
  );
}
