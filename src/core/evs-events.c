/* evs-events.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-events"

#include "config.h"

#include "evs-events.h"

#include <string.h>

G_DEFINE_BOXED_TYPE (EvsEventChunk, evs_event_chunk, evs_event_chunk_ref, evs_event_chunk_unref)

#define ALIGNMENT 64

static void
free_arrays (EvsEventChunk *chunk)
{
  g_aligned_free (chunk->t);
  g_aligned_free (chunk->x);
  g_aligned_free (chunk->y);
  g_aligned_free (chunk->p);
  chunk->t = NULL;
  chunk->x = NULL;
  chunk->y = NULL;
  chunk->p = NULL;
}

/**
 * evs_event_chunk_new:
 * @capacity: how many events the chunk can hold
 *
 * Returns: (transfer full): a new, empty chunk
 */
EvsEventChunk *
evs_event_chunk_new (gsize capacity)
{
  EvsEventChunk *chunk = g_new0 (EvsEventChunk, 1);

  g_atomic_ref_count_init (&chunk->ref_count);
  evs_event_chunk_reserve (chunk, MAX (capacity, 1));

  return chunk;
}

EvsEventChunk *
evs_event_chunk_ref (EvsEventChunk *chunk)
{
  g_return_val_if_fail (chunk != NULL, NULL);

  g_atomic_ref_count_inc (&chunk->ref_count);

  return chunk;
}

void
evs_event_chunk_unref (EvsEventChunk *chunk)
{
  g_return_if_fail (chunk != NULL);

  if (g_atomic_ref_count_dec (&chunk->ref_count))
    {
      free_arrays (chunk);
      g_free (chunk);
    }
}

/**
 * evs_event_chunk_reserve:
 *
 * Grows the chunk so that it holds at least @capacity events, keeping its
 * contents.  It never shrinks.
 */
void
evs_event_chunk_reserve (EvsEventChunk *chunk,
                         gsize          capacity)
{
  gint64 *t;
  guint16 *x, *y;
  guint8 *p;

  g_return_if_fail (chunk != NULL);

  if (capacity <= chunk->capacity)
    return;

  t = g_aligned_alloc (capacity, sizeof (gint64), ALIGNMENT);
  x = g_aligned_alloc (capacity, sizeof (guint16), ALIGNMENT);
  y = g_aligned_alloc (capacity, sizeof (guint16), ALIGNMENT);
  p = g_aligned_alloc (capacity, sizeof (guint8), ALIGNMENT);

  if (chunk->n_events > 0)
    {
      memcpy (t, chunk->t, chunk->n_events * sizeof (gint64));
      memcpy (x, chunk->x, chunk->n_events * sizeof (guint16));
      memcpy (y, chunk->y, chunk->n_events * sizeof (guint16));
      memcpy (p, chunk->p, chunk->n_events * sizeof (guint8));
    }

  free_arrays (chunk);
  chunk->t = t;
  chunk->x = x;
  chunk->y = y;
  chunk->p = p;
  chunk->capacity = capacity;
}

/**
 * evs_event_chunk_copy:
 *
 * Returns: (transfer full): a new chunk holding a copy of the valid events
 */
EvsEventChunk *
evs_event_chunk_copy (const EvsEventChunk *chunk)
{
  EvsEventChunk *copy;

  g_return_val_if_fail (chunk != NULL, NULL);

  copy = evs_event_chunk_new (MAX (chunk->n_events, 1));
  evs_event_chunk_append_range (copy, chunk, 0, chunk->n_events);

  return copy;
}

/**
 * evs_event_chunk_append_range:
 *
 * Appends events [@start, @start + @n) of @src to @dst, growing @dst if needed.
 */
void
evs_event_chunk_append_range (EvsEventChunk       *dst,
                              const EvsEventChunk *src,
                              gsize                start,
                              gsize                n)
{
  gsize at;

  g_return_if_fail (dst != NULL);
  g_return_if_fail (src != NULL);
  g_return_if_fail (start <= src->n_events && n <= src->n_events - start);

  if (n == 0)
    return;

  if (dst->n_events + n > dst->capacity)
    evs_event_chunk_reserve (dst, MAX (dst->n_events + n, dst->capacity * 2));

  at = dst->n_events;
  memcpy (dst->t + at, src->t + start, n * sizeof (gint64));
  memcpy (dst->x + at, src->x + start, n * sizeof (guint16));
  memcpy (dst->y + at, src->y + start, n * sizeof (guint16));
  memcpy (dst->p + at, src->p + start, n * sizeof (guint8));
  dst->n_events += n;
}

/**
 * evs_event_chunk_drop_head:
 *
 * Removes the first @n events, moving the rest to the front.
 */
void
evs_event_chunk_drop_head (EvsEventChunk *chunk,
                           gsize          n)
{
  gsize rest;

  g_return_if_fail (chunk != NULL);

  if (n >= chunk->n_events)
    {
      chunk->n_events = 0;
      return;
    }
  if (n == 0)
    return;

  rest = chunk->n_events - n;
  memmove (chunk->t, chunk->t + n, rest * sizeof (gint64));
  memmove (chunk->x, chunk->x + n, rest * sizeof (guint16));
  memmove (chunk->y, chunk->y + n, rest * sizeof (guint16));
  memmove (chunk->p, chunk->p + n, rest * sizeof (guint8));
  chunk->n_events = rest;
}

/**
 * evs_event_chunk_compact:
 * @keep: one byte per event, non-zero to keep it
 *
 * Removes the events whose @keep byte is zero, keeping the order.
 *
 * Returns: the number of events kept
 */
gsize
evs_event_chunk_compact (EvsEventChunk *chunk,
                         const guint8  *keep)
{
  gsize j = 0;
  gsize n;

  g_return_val_if_fail (chunk != NULL, 0);
  g_return_val_if_fail (keep != NULL || chunk->n_events == 0, 0);

  n = chunk->n_events;

  /* Skip the leading run of kept events: nothing to move there. */
  while (j < n && keep[j])
    j++;

  for (gsize i = j; i < n; i++)
    {
      if (keep[i])
        {
          chunk->t[j] = chunk->t[i];
          chunk->x[j] = chunk->x[i];
          chunk->y[j] = chunk->y[i];
          chunk->p[j] = chunk->p[i];
          j++;
        }
    }

  chunk->n_events = j;

  return j;
}

/**
 * evs_event_chunk_lower_bound:
 *
 * For a chunk sorted by time, the index of the first event with time ≥ @t
 * (n_events when there is none).
 */
gsize
evs_event_chunk_lower_bound (const EvsEventChunk *chunk,
                             gint64               t)
{
  gsize lo = 0;
  gsize hi;

  g_return_val_if_fail (chunk != NULL, 0);

  hi = chunk->n_events;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (chunk->t[mid] < t)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}
