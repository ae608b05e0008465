/**
 * The crawler of crawl.e2e.test.ts: from the nav of a signed-in page, every same-origin link (a/link href,
 * script src, hx-get) of every page and fragment is requested once with the page's own request context (its
 * cookies: the role's session), redirects followed, until nothing new is found. Every page shape (the path with
 * its ids taken out) is also opened in Chromium, where the harness records console errors and CSP refusals, and
 * every HTML answer is read for what the Content-Security-Policy would refuse (inline script or style, event
 * handler attributes, javascript: URLs), so a page not opened in Chromium is checked for those too.
 */
import { appendFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export interface Refusal {
  shape: RegExp;
  status: number;
  why: string;
}

export interface Coverage {
  /** Distinct URLs requested (pages, fragments, downloads, assets). */
  requested: number;
  /** HTML pages whose links were read. */
  pages: number;
  fragments: number;
  downloads: number;
  redirects: number;
  refusals: number;
  /** Lists in another order: requested, their links not followed again. */
  sortedLists: number;
  /** Distinct page shapes, each opened in Chromium. */
  rendered: number;
  /** Requested URLs per shape, to show what the crawl reached (e.g. every account). */
  perShape: Map<string, number>;
  ms: number;
  /** CPU time of this process (the app and the crawler; not Postgres or Chromium): the wall time on an idle machine is near it. */
  cpuMs: number;
}

/** The path with its ids taken out: pages of one shape. */
export const shapeOf = (url: URL) =>
  url.pathname
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
    .replace(/\/\d+$/, '/:n');

const decode = (v: string) =>
  v
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replaceAll('&amp;', '&');

/** Every link an HTML answer offers: a/link href, script/img src, hx-get (a fragment htmx loads). */
export function linksIn(html: string): { href: string; fragment: boolean }[] {
  const out: { href: string; fragment: boolean }[] = [];
  for (const m of html.matchAll(/<(a|link|script|img)\b[^>]*?\s(href|src)="([^"]*)"/gi))
    out.push({ href: decode(m[3]!), fragment: false });
  for (const m of html.matchAll(/\shx-get="([^"]*)"/gi)) out.push({ href: decode(m[1]!), fragment: true });
  return out;
}

/** What the page's Content-Security-Policy (self only, no inline) would refuse in this HTML. */
export function cspProblemsIn(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>/gi))
    if (!/\ssrc="/i.test(m[1]!)) problems.push(`inline <script${m[1]}>`);
  if (/<style\b/i.test(html)) problems.push('inline <style>');
  for (const m of html.matchAll(/<[a-z][^>]*?\s(style|on[a-z]+|hx-on[:-][a-z:-]*)="/gi))
    problems.push(`attribute ${m[1]}=`);
  if (/(href|src|action)="\s*javascript:/i.test(html)) problems.push('javascript: URL');
  return problems;
}

export async function crawlAs(
  page: Page,
  options: { base: string; refusals: Refusal[]; concurrency?: number },
): Promise<{ broken: string[]; coverage: Coverage }> {
  const started = Date.now();
  const cpu = process.cpuUsage();
  const { base, refusals } = options;
  const navLinks = await page
    .locator('nav.site-nav a')
    .evaluateAll((els) => els.map((e) => (e as unknown as { href: string }).href));
  const broken: string[] = [];
  const coverage: Coverage = {
    requested: 0,
    pages: 0,
    fragments: 0,
    downloads: 0,
    redirects: 0,
    refusals: 0,
    sortedLists: 0,
    rendered: 0,
    perShape: new Map(),
    ms: 0,
    cpuMs: 0,
  };
  const seen = new Set<string>();
  const toRender = new Map<string, string>();
  const queue: { url: string; from: string; fragment: boolean }[] = [];
  const offer = (href: string, from: string, fragment: boolean) => {
    if (!href || href.startsWith('#') || /^(mailto|tel|data):/i.test(href)) return;
    const url = new URL(href, from);
    if (url.origin !== base) return;
    url.hash = '';
    const key = `${fragment ? 'hx ' : ''}${url}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push({ url: url.toString(), from, fragment });
  };
  for (const url of [`${base}/`, ...navLinks]) offer(url, `${base}/`, false);

  const visit = async ({ url, from, fragment }: { url: string; from: string; fragment: boolean }) => {
    const shape = shapeOf(new URL(url));
    // CRAWL_TRACE=<file>: every URL as it is requested, to see where a slow or stuck crawl spends its time.
    if (process.env.CRAWL_TRACE) appendFileSync(process.env.CRAWL_TRACE, `${fragment ? 'hx ' : ''}${url}\n`);
    coverage.requested += 1;
    coverage.perShape.set(shape, (coverage.perShape.get(shape) ?? 0) + 1);
    const res = await page.request.get(url, {
      maxRedirects: 0,
      headers: fragment ? { 'hx-request': 'true' } : {},
      failOnStatusCode: false,
    });
    const code = res.status();
    const type = res.headers()['content-type'] ?? '';
    const what = fragment ? 'fragment' : 'link';
    if (code >= 300 && code < 400) {
      coverage.redirects += 1;
      const location = res.headers().location;
      if (location) offer(location, url, fragment);
      else broken.push(`${what} ${url} on ${from} redirects nowhere (${code})`);
      await res.dispose();
      return;
    }
    if (code >= 400) {
      await res.dispose();
      if (refusals.some((r) => r.shape.test(shape) && r.status === code)) coverage.refusals += 1;
      else broken.push(`${what} ${url} on ${from} answered ${code}`);
      return;
    }
    if (!type.includes('text/html')) {
      if (!url.includes('/static/')) coverage.downloads += 1;
      await res.dispose();
      return;
    }
    const html = await res.text();
    await res.dispose();
    if (fragment) coverage.fragments += 1;
    else {
      coverage.pages += 1;
      if (!toRender.has(shape)) toRender.set(shape, url);
    }
    for (const p of cspProblemsIn(html)) broken.push(`${url}: the CSP refuses ${p}`);
    // A list in another order offers the same links as the list itself (reached without the sort): its own
    // links are not followed, or every sort would multiply every page of every list.
    if (new URL(url).searchParams.has('sort')) {
      coverage.sortedLists += 1;
      return;
    }
    for (const link of linksIn(html)) offer(link.href, url, link.fragment);
  };

  // Requests in parallel (the server answers several at once); a worker waits while others may still find links.
  let active = 0;
  const worker = async () => {
    for (;;) {
      const next = queue.shift();
      if (!next) {
        if (active === 0) return;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      active += 1;
      try {
        await visit(next);
      } catch (error) {
        broken.push(`${next.url} on ${next.from}: ${(error as Error).message}`);
      } finally {
        active -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));

  // Every page shape in Chromium: its scripts run, its htmx fragments load; the harness records console errors.
  for (const url of toRender.values()) {
    const res = await page.goto(url, { waitUntil: 'networkidle' }).catch((error: Error) => {
      broken.push(`page ${url} did not load in Chromium: ${error.message}`);
      return null;
    });
    if (res && res.status() >= 400) broken.push(`page ${url} answered ${res.status()} in Chromium`);
    coverage.rendered += 1;
  }
  coverage.ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  coverage.cpuMs = Math.round((used.user + used.system) / 1000);
  return { broken, coverage };
}
