/* evs-hot-pixel-map.h
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

#include "evs-index.h"
#include "evs-reader.h"

G_BEGIN_DECLS

/* Colour (0xRRGGBB) of the pixels above the threshold in the rate map */
#define EVS_HOT_PIXEL_MAP_HOT_COLOR 0xff3030

#define EVS_TYPE_HOT_PIXEL_MAP (evs_hot_pixel_map_get_type ())

/**
 * EvsHotPixelMap:
 * @width: the sensor's width
 * @height: the sensor's height
 * @duration_us: the time the counts cover
 * @log_min: log10 of the lowest non-zero rate (Hz)
 * @log_max: log10 of the highest rate (Hz)
 * @n_bins: histogram bins over [@log_min, @log_max]
 * @bins: (array length=n_bins): pixels per bin of log10 rate
 * @n_silent: pixels without events
 * @max_bin: the fullest bin's count
 *
 * The per-pixel event rates of a recording, as a histogram of log rates.
 * Immutable.
 */
typedef struct
{
  guint    width;
  guint    height;
  gint64   duration_us;
  double   log_min;
  double   log_max;
  guint    n_bins;
  guint64 *bins;
  guint64  n_silent;
  guint64  max_bin;
  /*< private >*/
  GBytes  *counts;
  gatomicrefcount ref_count;
} EvsHotPixelMap;

/**
 * EvsPixelCounter:
 * @counts: events per pixel, row-major, @width × @height (saturating)
 * @width: columns; grows when events lie beyond it
 * @height: rows; grows likewise
 * @t_first: the smallest event time counted
 * @t_last: the largest event time counted
 * @n_counted: the events counted so far (no count can saturate while this
 *   is below 2^32)
 *
 * Counts the events of every pixel of a recording, chunk by chunk: the
 * first pass of hot-pixel learning, shared by exports (alone or inside the
 * index scan), the workbench preview and `evscope-cli render`.
 */
typedef struct
{
  guint32 *counts;
  guint    width;
  guint    height;
  gint64   t_first;
  gint64   t_last;
  guint64  n_counted;
} EvsPixelCounter;

void     evs_pixel_counter_init         (EvsPixelCounter      *counter,
                                         guint                 width,
                                         guint                 height);
void     evs_pixel_counter_clear        (EvsPixelCounter      *counter);
void     evs_pixel_counter_grow         (EvsPixelCounter      *counter,
                                         guint                 width,
                                         guint                 height);
void     evs_pixel_counter_add_chunk    (const EvsEventChunk  *chunk,
                                         gpointer              counter);
gint64   evs_pixel_counter_get_duration (const EvsPixelCounter *counter);
GBytes  *evs_pixel_counts_compute       (EvsReader            *reader,
                                         guint                *width,
                                         guint                *height,
                                         gint64               *duration_us,
                                         GCancellable         *cancellable,
                                         EvsIndexProgressFunc  progress,
                                         gpointer              user_data,
                                         GError              **error);

GType           evs_hot_pixel_map_get_type    (void) G_GNUC_CONST;
EvsHotPixelMap *evs_hot_pixel_map_new         (GBytes               *counts,
                                               guint                 width,
                                               guint                 height,
                                               gint64                duration_us,
                                               guint                 n_bins);
EvsHotPixelMap *evs_hot_pixel_map_ref         (EvsHotPixelMap       *map);
void            evs_hot_pixel_map_unref       (EvsHotPixelMap       *map);
double          evs_hot_pixel_map_get_rate    (const EvsHotPixelMap *map,
                                               guint                 x,
                                               guint                 y);
gboolean        evs_hot_pixel_map_is_hot      (const EvsHotPixelMap *map,
                                               double                max_rate_hz,
                                               guint                 x,
                                               guint                 y);
guint64         evs_hot_pixel_map_count_hot   (const EvsHotPixelMap *map,
                                               double                max_rate_hz,
                                               guint64              *n_events);
GBytes         *evs_hot_pixel_map_render      (const EvsHotPixelMap *map,
                                               double                max_rate_hz,
                                               gsize                *stride);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsHotPixelMap, evs_hot_pixel_map_unref)

G_END_DECLS
