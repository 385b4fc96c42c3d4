/** The forms' rules, the same as the API's (identity/schemas.py), so most mistakes are caught
 * before a request; the API's own answer is still shown when it refuses. */
import { z } from "zod";

export const PASSWORD_RULES =
  "8 to 128 characters with an upper-case letter, a lower-case letter, a digit and a special character";

export const loginSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, "Enter your e-mail address.")
    .pipe(z.email("Enter a valid e-mail address.")),
  password: z.string().min(1, "Enter your password.").max(128, "At most 128 characters."),
});
export type LoginValues = z.infer<typeof loginSchema>;

export const ROLES = [
  { value: "client", label: "Hire creators", hint: "Order gigs and post projects." },
  { value: "creator", label: "Sell video work", hint: "Offer gigs and bid on projects." },
  { value: "hybrid", label: "Both", hint: "Hire and sell from one account." },
] as const;

export const signupSchema = z.object({
  full_name: z.string().trim().min(1, "Enter your name.").max(100, "At most 100 characters."),
  username: z
    .string()
    .trim()
    .min(3, "At least 3 characters.")
    .max(50, "At most 50 characters.")
    .regex(/^[A-Za-z0-9_-]+$/, "Letters, digits, - and _ only."),
  email: z
    .string()
    .trim()
    .min(1, "Enter your e-mail address.")
    .max(254, "At most 254 characters.")
    .pipe(z.email("Enter a valid e-mail address.")),
  password: z
    .string()
    .min(8, "At least 8 characters.")
    .max(128, "At most 128 characters.")
    .refine(
      (value) =>
        /[A-Z]/.test(value) &&
        /[a-z]/.test(value) &&
        /[0-9]/.test(value) &&
        /[^A-Za-z0-9]/.test(value),
      "Use an upper-case letter, a lower-case letter, a digit and a special character.",
    ),
  role: z.enum(["client", "creator", "hybrid"], { error: "Choose how you will use ReelByte." }),
});
export type SignupValues = z.infer<typeof signupSchema>;

/** A new password typed twice (password reset, password change): the sign-up rules, and both the same. */
export const newPasswordFields = {
  new_password: signupSchema.shape.password,
  confirm: z.string().min(1, "Enter the new password again."),
};

export function sameNewPassword(values: { new_password: string; confirm: string }) {
  return values.new_password === values.confirm;
}
export const SAME_NEW_PASSWORD = {
  path: ["confirm"],
  message: "The two passwords are not the same.",
};
