import { useId } from "react";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { plural } from "@/lib/format";

/** In the revision request: send the open comments with it. */
export function BundleComments({
  count,
  checked,
  onCheckedChange,
}: {
  count: number;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2 rounded-md border p-3">
      <Checkbox
        id={id}
        checked={checked}
        onCheckedChange={(value) => onCheckedChange(value === true)}
      />
      <Label htmlFor={id} className="leading-snug font-normal">
        Include the {plural(count, "open comment")} from the review: the creator sees them as the
        list of changes to make.
      </Label>
    </div>
  );
}
