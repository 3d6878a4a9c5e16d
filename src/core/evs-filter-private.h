/* evs-filter-private.h
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

#include "evs-filter.h"
#include "evs-chunk-facts-private.h"

G_BEGIN_DECLS

/*
 * Compact per-pixel time state shared by the neighbourhood filters.
 *
 * Times are stored as 32-bit values relative to a moving base
 * (rel = t - base).  The base is kept so that every time of the current
 * chunk maps into [2^30, 2^32): a stored 0 ("never") or any value older than
 * 2^30 µs is then farther than every allowed window, and the unsigned
 * difference `rel - stored` is the age of a neighbour (it wraps to a huge
 * value for a neighbour in the future, which therefore never counts).  The
 * array has a border of one pixel on each side that is never written, so
 * the 8-neighbourhood needs no bounds checks (and 4 spare elements at the
 * end, so SIMD code may load 4 values from x - 1 anywhere).  @layers is 1, or 2 for one
 * plane per polarity (interleaved: index*2 + p).
 */
typedef struct
{
  guint32 *ts;
  guint    width;
  guint    height;
  guint    layers;
  gsize    row;        /* elements per padded row: (width + 2) * layers */
  gint64   base;
  gboolean has_base;
} EvsPixelTimes;

#define EVS_PIXEL_TIMES_FLOOR (G_GUINT64_CONSTANT (1) << 30)

void _evs_pixel_times_init    (EvsPixelTimes       *pt,
                               guint                layers);
void _evs_pixel_times_clear   (EvsPixelTimes       *pt);
void _evs_pixel_times_reset   (EvsPixelTimes       *pt);
gsize _evs_pixel_times_prepare (EvsPixelTimes       *pt,
                                EvsFilter           *filter,
                                const EvsEventChunk *chunk,
                                gsize                start);

static inline gsize
_evs_pixel_times_index (const EvsPixelTimes *pt,
                        guint                x,
                        guint                y)
{
  return ((gsize) (y + 1) * (pt->width + 2) + x + 1) * pt->layers;
}

/* Largest x and y of a chunk (0 when empty). */
gboolean _evs_filter_refine (EvsFilter           *self,
                             const EvsEventChunk *chunk,
                             guint8              *keep);

/* Facts of the chunk being filtered, valid during one process() or refine() */
void                 _evs_filter_set_chunk_facts (EvsFilter           *self,
                                                  const EvsChunkFacts *facts);
const EvsChunkFacts *_evs_filter_get_chunk_facts (EvsFilter           *self);

/* Time range and largest coordinates of @n events, in one vectorised pass */
void _evs_chunk_extent (const gint64  *t,
                        const guint16 *x,
                        const guint16 *y,
                        gsize          n,
                        gint64        *tmin_out,
                        gint64        *tmax_out,
                        guint         *max_x_out,
                        guint         *max_y_out);

void _evs_chunk_max_xy (const EvsEventChunk *chunk,
                        guint               *max_x,
                        guint               *max_y);

/* Pixel grid without border, grown on demand (hot pixels, duplicates) */
typedef struct
{
  guint  width;
  guint  height;
  gsize  elem_size;
  gpointer data;
} EvsPixelGrid;

void _evs_pixel_grid_ensure (EvsPixelGrid *grid,
                             gsize         elem_size,
                             guint         width,
                             guint         height);
void _evs_pixel_grid_clear  (EvsPixelGrid *grid);

G_END_DECLS
