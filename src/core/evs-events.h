/* evs-events.h
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

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Default number of events in a chunk: large enough to amortise per-chunk
 * work, small enough (≈ 850 KiB) to stay cache friendly. */
#define EVS_CHUNK_DEFAULT_CAPACITY (64 * 1024)

/* Readers decode whole words; one word may produce up to this many events
 * (EVT 2.1 vectors).  A chunk handed to a reader must hold at least this many. */
#define EVS_CHUNK_MIN_CAPACITY 64

#define EVS_TYPE_EVENT_CHUNK (evs_event_chunk_get_type ())

/**
 * EvsEventChunk:
 * @t: timestamps in µs, as stored in the recording (absolute time base)
 * @x: columns
 * @y: rows
 * @p: polarity, 0 = OFF, 1 = ON
 * @n_events: number of valid events
 * @capacity: number of events the arrays can hold
 *
 * A chunk of events as a struct of arrays.  Chunks are reference counted
 * and reused; nothing ever holds a whole recording.
 */
typedef struct
{
  gint64  *t;
  guint16 *x;
  guint16 *y;
  guint8  *p;
  gsize    n_events;
  gsize    capacity;
  /*< private >*/
  gatomicrefcount ref_count;
} EvsEventChunk;

GType          evs_event_chunk_get_type     (void) G_GNUC_CONST;
EvsEventChunk *evs_event_chunk_new          (gsize                capacity);
EvsEventChunk *evs_event_chunk_ref          (EvsEventChunk       *chunk);
void           evs_event_chunk_unref        (EvsEventChunk       *chunk);
EvsEventChunk *evs_event_chunk_copy         (const EvsEventChunk *chunk);
void           evs_event_chunk_reserve      (EvsEventChunk       *chunk,
                                             gsize                capacity);
void           evs_event_chunk_append_range (EvsEventChunk       *dst,
                                             const EvsEventChunk *src,
                                             gsize                start,
                                             gsize                n);
void           evs_event_chunk_drop_head    (EvsEventChunk       *chunk,
                                             gsize                n);
gsize          evs_event_chunk_compact      (EvsEventChunk       *chunk,
                                             const guint8        *keep);
gsize          evs_event_chunk_lower_bound  (const EvsEventChunk *chunk,
                                             gint64               t);

static inline void
evs_event_chunk_clear (EvsEventChunk *chunk)
{
  chunk->n_events = 0;
}

static inline gsize
evs_event_chunk_get_free (const EvsEventChunk *chunk)
{
  return chunk->capacity - chunk->n_events;
}

/* No bounds check: callers make sure there is room. */
static inline void
evs_event_chunk_push (EvsEventChunk *chunk,
                      gint64         t,
                      guint16        x,
                      guint16        y,
                      guint8         p)
{
  gsize i = chunk->n_events++;

  chunk->t[i] = t;
  chunk->x[i] = x;
  chunk->y[i] = y;
  chunk->p[i] = p;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsEventChunk, evs_event_chunk_unref)

G_END_DECLS
