import type { FieldErrors, UseFormRegister } from "react-hook-form";
import { PASSWORD_RULES } from "@/auth/schemas";
import { FormField } from "@/components/form-field";

interface NewPasswordValues {
  new_password: string;
  confirm: string;
}

/** The new password and its repetition, with the rules as a hint. */
export function NewPasswordFields<T extends NewPasswordValues>({
  register,
  errors,
}: {
  register: UseFormRegister<T>;
  errors: FieldErrors<NewPasswordValues>;
}) {
  // T has these two fields; react-hook-form cannot narrow a generic register to them itself.
  const fields = register as unknown as UseFormRegister<NewPasswordValues>;
  return (
    <>
      <FormField
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={`${PASSWORD_RULES}.`}
        error={errors.new_password?.message}
        {...fields("new_password")}
      />
      <FormField
        label="New password again"
        type="password"
        autoComplete="new-password"
        error={errors.confirm?.message}
        {...fields("confirm")}
      />
    </>
  );
}
