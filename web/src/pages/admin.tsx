import { NavLink, Outlet } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { EmptyState } from "@/components/states";
import { cn } from "@/lib/utils";

const SECTIONS = [
  { to: "/admin", label: "Users", end: true },
  { to: "/admin/reports", label: "Reports" },
  { to: "/admin/disputes", label: "Disputes" },
  { to: "/admin/reviews", label: "Reviews" },
  { to: "/admin/audit", label: "Audit log" },
  { to: "/admin/analytics", label: "Analytics" },
];

/** The admin console's frame (behind log-in): its sections, for admins only. */
export function Component() {
  const { user } = useAuth();
  if (user?.role !== "admin") {
    return (
      <div className="mx-auto w-full max-w-xl py-10">
        <title>Not allowed · ReelByte</title>
        <EmptyState title="You are not allowed here">
          <h1 className="sr-only">Not allowed</h1>
          The admin console is for ReelByte&apos;s administrators only.
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="flex w-full flex-col gap-6">
      <div className="flex flex-col gap-3">
        <p className="text-sm font-medium text-muted-foreground">Admin console</p>
        <nav aria-label="Admin sections" className="-mx-1 overflow-x-auto">
          <ul className="flex w-max gap-1 px-1">
            {SECTIONS.map((section) => (
              <li key={section.to}>
                <NavLink
                  to={section.to}
                  end={section.end}
                  className={({ isActive }) =>
                    cn(
                      "inline-flex h-9 items-center rounded-md px-3 text-sm font-medium whitespace-nowrap hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring",
                      isActive ? "bg-secondary text-secondary-foreground" : "text-muted-foreground",
                    )
                  }
                >
                  {section.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <Outlet />
    </div>
  );
}
Component.displayName = "AdminConsole";
