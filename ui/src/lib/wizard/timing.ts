// Plain phrases for "when": "in about 25 minutes", "about 25 minutes from now".

/** "in about 25 minutes", "in about 2 hours", "in less than a minute", "now". */
export function inAbout(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "now";
  if (seconds < 60) return "in less than a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in about ${hours} hour${hours === 1 ? "" : "s"}`;
  const days = Math.round(hours / 24);
  return `in about ${days} days`;
}

/** "about 25 minutes from now" for a moment `at` seen from `now` (both RFC 3339 or Dates). */
export function fromNow(at: string | Date, now: string | Date): string {
  const seconds = (toDate(at).getTime() - toDate(now).getTime()) / 1000;
  const phrase = inAbout(seconds);
  return phrase.startsWith("in ") ? `${phrase.slice(3)} from now` : phrase;
}

/** "12 s", "3 min 5 s", "1 h 4 min": for time remaining in a progress bar. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "23 Nov 2026, 14:05" in the person's locale. */
export function dateTime(at: string | Date): string {
  return toDate(at).toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}
