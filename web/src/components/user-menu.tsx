import { Link, useNavigate } from "react-router";
import { useAuth } from "@/auth/auth-context";
import { Avatar } from "@/components/avatar";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

/** The logged-in person's menu in the header: who, where to go, Log out. Creators (and
 * hybrids) also get their dashboard and earnings. */
export default function UserMenu() {
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  if (!user) return null;
  const sells = user.role !== "client";
  const links = [
    ...(sells ? [{ to: "/dashboard", label: "Dashboard" }] : []),
    { to: "/orders", label: "My orders" },
    { to: "/projects", label: "Projects" },
    ...(user.role !== "creator" ? [{ to: "/projects/mine", label: "My projects" }] : []),
    ...(sells ? [{ to: "/proposals/mine", label: "My proposals" }] : []),
    ...(sells ? [{ to: "/earnings", label: "Earnings" }] : []),
    ...(sells ? [{ to: "/settings/payouts", label: "Payouts" }] : []),
    ...(sells ? [{ to: "/billing", label: "Billing" }] : []),
    ...(sells ? [{ to: "/settings/developers", label: "Developers" }] : []),
    ...(sells ? [{ to: "/studio", label: "Video tools" }] : []),
    { to: "/messages", label: "Messages" },
    { to: "/notifications", label: "Notifications" },
    { to: "/settings", label: "Settings" },
    ...(user.role === "admin" ? [{ to: "/admin", label: "Admin console" }] : []),
  ];
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="ghost"
          className="gap-2 px-2"
          aria-label={`Account menu for ${user.full_name}`}
        >
          <Avatar name={user.full_name} url={user.avatar_url} className="size-8 text-sm" />
          <span className="hidden max-w-32 truncate md:inline">{user.full_name}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>
          <span className="block font-medium">{user.full_name}</span>
          <span className="block text-xs font-normal text-muted-foreground">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuGroup>
          {links.map((link) => (
            <DropdownMenuItem key={link.to} asChild>
              <Link to={link.to}>{link.label}</Link>
            </DropdownMenuItem>
          ))}
        </DropdownMenuGroup>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          onSelect={() => {
            void logout().then(() => navigate("/"));
          }}
        >
          Log out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
