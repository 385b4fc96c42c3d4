import { useState } from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";

/**
 * A secret the API answers only once (an API key, a webhook signing secret): shown in a dialog
 * with a copy button and a plain warning. Closing it forgets the value for good.
 */
export function ShownOnceDialog({
  title,
  label,
  value,
  children,
  onClose,
}: {
  title: string;
  /** what the value is, e.g. "API key" */
  label: string;
  /** null: the dialog is closed */
  value: string | null;
  children?: React.ReactNode;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    if (!value) return;
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <Dialog
      open={value !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(null);
          onClose();
        }
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>
            Copy it now and keep it somewhere safe: you will not see it again.
          </DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-2">
          <label htmlFor="shown-once-value" className="text-sm font-medium">
            {label}
          </label>
          <input
            id="shown-once-value"
            readOnly
            value={value ?? ""}
            onFocus={(event) => event.currentTarget.select()}
            className="h-10 w-full rounded-md border border-input bg-muted px-3 font-mono text-sm"
          />
          <p role="status" className="min-h-5 text-sm text-muted-foreground">
            {copied === "yes" && "Copied to the clipboard."}
            {copied === "failed" && "Could not copy: select the text and copy it yourself."}
          </p>
        </div>
        {children}
        <DialogFooter>
          <Button variant="outline" onClick={() => void copy()}>
            Copy to clipboard
          </Button>
          <Button
            onClick={() => {
              setCopied(null);
              onClose();
            }}
          >
            I have stored it
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
