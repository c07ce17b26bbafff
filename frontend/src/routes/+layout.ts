// A live dashboard has nothing to prerender or render on a server: every byte it shows
// comes from the authenticated stream.
export const ssr = false;
export const prerender = false;
