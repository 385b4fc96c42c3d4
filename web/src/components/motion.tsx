/** Motion for the app's transitions: small `m` components, with the animation features loaded
 * in their own chunk after the first paint, and no movement for users who ask for less
 * (`prefers-reduced-motion`). Transitions move things; they never fade text, so a page is
 * never shown (or checked for contrast) half transparent. */
import { LazyMotion, MotionConfig } from "motion/react";
import * as m from "motion/react-m";
import { useState, type ReactNode } from "react";
import { useLocation } from "react-router";

const loadFeatures = () => import("@/lib/motion-features").then((module) => module.default);

export function MotionProvider({ children }: { children: ReactNode }) {
  return (
    <MotionConfig reducedMotion="user">
      <LazyMotion features={loadFeatures} strict>
        {children}
      </LazyMotion>
    </MotionConfig>
  );
}

/** Each page after a navigation rises into place; the page the visitor landed on shows at once,
 * so the transition costs its first paint nothing. */
export function PageTransition({ children }: { children: ReactNode }) {
  const location = useLocation();
  const [landing] = useState(location.key);
  return (
    <m.div
      key={location.pathname}
      initial={location.key === landing ? false : { y: 12 }}
      animate={{ y: 0 }}
      transition={{ type: "spring", duration: 0.3, bounce: 0 }}
    >
      {children}
    </m.div>
  );
}

/** A message that slides open where it appears, instead of pushing the page down at once. */
export function Reveal({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <m.div
      className={className}
      style={{ overflow: "hidden" }}
      initial={{ height: 0 }}
      animate={{ height: "auto" }}
      transition={{ duration: 0.2, ease: "easeOut" }}
    >
      {children}
    </m.div>
  );
}
