// A tiny history router: the app has a dozen fixed routes, a library would cost more bytes
// than it saves. Route patterns must match SPA_ROUTES in frontend/site.py.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const NAVIGATE_EVENT = "pictolab:navigate";

function subscribe(listener: () => void): () => void {
  window.addEventListener("popstate", listener);
  window.addEventListener(NAVIGATE_EVENT, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(NAVIGATE_EVENT, listener);
  };
}

const getPath = () => window.location.pathname;

export function usePath(): string {
  return useSyncExternalStore(subscribe, getPath, getPath);
}

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo?.(0, 0);
}

export type RouteName =
  | "join" | "home" | "class" | "train" | "try" | "ranking"
  | "admin" | "adminWorkshop" | "adminCards" | "adminScoreboard" | "adminGroup"
  | "adminInstructors" | "adminAccount" | "adminAccept" | "adminProjector";

const ROUTES: [RouteName, RegExp][] = [
  // /join#<token> (the token never leaves the browser); /join/<token> from older cards.
  ["join", /^\/join(?:\/([^/]+))?\/?$/],
  ["home", /^\/$/],
  ["class", /^\/class\/([^/]+)\/?$/],
  ["train", /^\/train\/?$/],
  ["try", /^\/try\/?$/],
  ["ranking", /^\/ranking\/?$/],
  ["admin", /^\/admin\/?$/],
  ["adminWorkshop", /^\/admin\/workshops\/([^/]+)\/?$/],
  ["adminCards", /^\/admin\/workshops\/([^/]+)\/cards\/?$/],
  ["adminScoreboard", /^\/admin\/workshops\/([^/]+)\/scoreboard\/?$/],
  ["adminProjector", /^\/admin\/workshops\/([^/]+)\/projector\/?$/],
  ["adminGroup", /^\/admin\/groups\/([^/]+)\/?$/],
  ["adminInstructors", /^\/admin\/instructors\/?$/],
  ["adminAccount", /^\/admin\/account\/?$/],
  // /admin/accept#<token>: an instructor's invitation or reset link (the token stays in the browser).
  ["adminAccept", /^\/admin\/accept\/?$/],
];

export interface Route { name: RouteName | "notFound"; param: string }

export function matchRoute(path: string): Route {
  for (const [name, pattern] of ROUTES) {
    const match = pattern.exec(path);
    if (match) return { name, param: match[1] ? decodeURIComponent(match[1]) : "" };
  }
  return { name: "notFound", param: "" };
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
