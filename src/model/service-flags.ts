import { parseHostPort } from './collector.js';
import type { ComposeService } from './compose.js';

/** The port of an address flag of a service's command or entrypoint (`--web.listen-address=0.0.0.0:9091`, or the flag and its value as two words). */
export function flagPort(s: ComposeService | undefined, flag: string): number | undefined {
  if (!s) return undefined;
  const words = [...s.entrypoint, ...s.command];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const value = w.startsWith(`${flag}=`) ? w.slice(flag.length + 1) : w === flag ? words[i + 1] : undefined;
    const parsed = value ? parseHostPort(value) : undefined;
    if (parsed) return parsed.port;
  }
  return undefined;
}

/** The port Prometheus serves on in its container: `--web.listen-address`, else 9090. */
export function prometheusListenPort(s: ComposeService | undefined): number {
  return flagPort(s, '--web.listen-address') ?? 9090;
}
