import type { EventContainer } from '@sandtrap/events';

const ID = '([0-9a-f]{64})';
/** Container runtimes' cgroup path shapes, most specific first. */
const CONTAINER_PATTERNS: readonly RegExp[] = [
  new RegExp(`cri-containerd-${ID}\\.scope`),
  new RegExp(`crio-(?:conmon-)?${ID}(?:\\.scope)?`),
  new RegExp(`docker-${ID}\\.scope`),
  new RegExp(`libpod-(?:conmon-)?${ID}(?:\\.scope)?`),
  // cgroupfs driver: /docker/<id>, /kubepods/burstable/pod<uid>/<id>
  new RegExp(`/docker/${ID}(?:/|$)`),
  new RegExp(`/kubepods/(?:[a-z]+/)?pod[0-9a-f-]+/${ID}(?:/|$)`),
];
/** systemd driver writes the pod uid with underscores, cgroupfs with dashes. */
const POD_UID =
  /kubepods(?:[-/][a-z]+)*[-/]pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;

/**
 * Container id (and pod uid in `details`-free form: `pod` carries the uid) from the text of
 * /proc/<pid>/cgroup. Namespace is not in the path, so it stays unset here.
 */
export function containerFromCgroup(text: string): EventContainer | undefined {
  for (const rawLine of text.split('\n')) {
    // v2: `0::/path`; v1: `N:controllers:/path`
    const path = rawLine.slice(rawLine.indexOf(':', rawLine.indexOf(':') + 1) + 1);
    if (!path.startsWith('/')) continue;
    for (const pattern of CONTAINER_PATTERNS) {
      const match = pattern.exec(path);
      if (!match) continue;
      const container: EventContainer = { id: match[1] };
      const pod = POD_UID.exec(path);
      if (pod) container.pod = pod[1].replaceAll('_', '-');
      return container;
    }
  }
  return undefined;
}
