/** Small pieces every page group uses: status badges, a pager, a labelled field with its error, flash alerts, stats. */
import type { Child } from 'hono/jsx';
import { statusLabel } from './format.ts';

/** One figure of a `<dl class="stats">`: its label and its value (`valueId`, `valueClass` go on the value). */
export function Stat({
  label,
  children,
  valueId,
  valueClass,
}: {
  label: Child;
  children: Child;
  valueId?: string;
  valueClass?: string;
}) {
  return (
    <div class="stat">
      <dt class="stat-label">{label}</dt>
      <dd class={valueClass ? `stat-value ${valueClass}` : 'stat-value'} id={valueId}>
        {children}
      </dd>
    </div>
  );
}

/** A run status as a coloured badge; the word carries the meaning, the colour only helps. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status status-${status.replaceAll('_', '-')}`}>{statusLabel(status)}</span>;
}

export interface PagerProps {
  /** The page's path with its current query, without `page`. */
  href: (page: number) => string;
  page: number;
  pageSize: number;
  total: number;
  /** htmx target to swap instead of loading the whole page (the links still work without JavaScript). */
  target?: string;
  label?: string;
}

/** Previous / next links with "rows a–b of n"; never renders more than one page of anything. */
export function Pager({ href, page, pageSize, total, target, label = 'Pages' }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const hx = (p: number) =>
    target ? { 'hx-get': href(p), 'hx-target': target, 'hx-swap': 'outerHTML', 'hx-push-url': 'true' } : {};
  return (
    <nav class="pager" aria-label={label}>
      <span class="muted">
        {total === 0
          ? 'No rows'
          : `Rows ${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}
      </span>
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev" {...hx(page - 1)}>
          ← Previous
        </a>
      ) : (
        <span class="muted" aria-hidden="true">
          ← Previous
        </span>
      )}
      <span>
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <a href={href(page + 1)} rel="next" {...hx(page + 1)}>
          Next →
        </a>
      ) : (
        <span class="muted" aria-hidden="true">
          Next →
        </span>
      )}
    </nav>
  );
}

/** The error under a field, linked with aria-describedby by the field itself. */
export function FieldError({ id, message }: { id: string; message?: string | undefined }) {
  if (!message) return null;
  return (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  );
}

/** aria attributes of a field that may carry an error and a hint. */
export function describedBy(id: string, error?: string, hint?: boolean) {
  const ids = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return {
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': ids || undefined,
  };
}

/** A labelled text input (id `f-<name>`) with its hint and its error next to it. */
export function TextField({
  id,
  label,
  value,
  error,
  hint,
  type = 'text',
  extra = {},
}: {
  id: string;
  label: string;
  value: string;
  error?: string | undefined;
  hint?: string;
  type?: string;
  extra?: Record<string, string | number>;
}) {
  return (
    <div class="field">
      <label for={`f-${id}`}>{label}</label>
      <input
        id={`f-${id}`}
        name={id}
        type={type}
        value={value}
        {...extra}
        {...describedBy(`f-${id}`, error, Boolean(hint))}
      />
      {hint && (
        <p class="hint" id={`f-${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError id={`f-${id}`} message={error} />
    </div>
  );
}

export function Alert({
  kind,
  children,
  id,
}: {
  kind: 'error' | 'success' | 'info';
  children: Child;
  id?: string;
}) {
  return (
    <div class={`alert ${kind}`} role={kind === 'error' ? 'alert' : 'status'} id={id}>
      {children}
    </div>
  );
}

/** Breadcrumbs: where a page sits, so a person never wonders how they got there. */
export function Crumbs({ items }: { items: { href?: string; label: string }[] }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <ol>
        {items.map((item, i) =>
          item.href && i < items.length - 1 ? (
            <li>
              <a href={item.href}>{item.label}</a>
            </li>
          ) : (
            <li aria-current="page">{item.label}</li>
          ),
        )}
      </ol>
    </nav>
  );
}

/** Builds a query string from the non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
