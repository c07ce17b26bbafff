// Runs once, as soon as the app's code is loaded and before any route's: the first reads
// leave now rather than after the route loads and the layout renders (first-read.ts).
import { beginFirstRead } from '#lib/first-read.ts';

beginFirstRead();
