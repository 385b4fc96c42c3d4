/** Motion's animation features, in their own chunk: loaded after the first page has painted. */
import { domAnimation } from "motion/react";

export default domAnimation;
