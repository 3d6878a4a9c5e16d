/* evs-hot-pixel-map.c
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

#define G_LOG_DOMAIN "evs-hot-pixel-map"

#include "config.h"

#include "evs-hot-pixel-map.h"
#include "evs-filter-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* The hot-pixel view's data: from the whole recording's per-pixel counts
 * (one streaming pass, as the export's first pass), a histogram of log10
 * event rates and a rate map image.  A pixel is hot at a threshold R Hz
 * when count > R × duration, the rule of the hot_pixels filter's
 * max_rate_hz criterion, so the view's count is the filter's.  Pure
 * functions, O(pixels), for a worker thread. */

G_DEFINE_BOXED_TYPE (EvsHotPixelMap, evs_hot_pixel_map, evs_hot_pixel_map_ref,
                     evs_hot_pixel_map_unref)

static inline double
rate_of (guint32 count,
         gint64  duration_us)
{
  return count * 1e6 / (double) MAX (duration_us, 1);
}

/**
 * evs_pixel_counter_init:
 *
 * Starts counting for a sensor of @width × @height (at least 1 × 1).
 */
void
evs_pixel_counter_init (EvsPixelCounter *counter,
                        guint            width,
                        guint            height)
{
  counter->width = MAX (width, 1);
  counter->height = MAX (height, 1);
  counter->counts = g_new0 (guint32, (gsize) counter->width * counter->height);
  counter->t_first = G_MAXINT64;
  counter->t_last = G_MININT64;
  counter->n_counted = 0;
}

void
evs_pixel_counter_clear (EvsPixelCounter *counter)
{
  g_clear_pointer (&counter->counts, g_free);
}

/**
 * evs_pixel_counter_grow:
 *
 * Makes room for at least @width × @height pixels, keeping the counts.
 */
void
evs_pixel_counter_grow (EvsPixelCounter *counter,
                        guint            width,
                        guint            height)
{
  guint nw = MAX (width, counter->width);
  guint nh = MAX (height, counter->height);
  guint32 *grown;

  if (nw == counter->width && nh == counter->height)
    return;

  grown = g_new0 (guint32, (gsize) nw * nh);
  for (guint r = 0; r < counter->height; r++)
    memcpy (grown + (gsize) r * nw, counter->counts + (gsize) r * counter->width,
            counter->width * sizeof (guint32));
  g_free (counter->counts);
  counter->counts = grown;
  counter->width = nw;
  counter->height = nh;
}

/**
 * evs_pixel_counter_add_chunk:
 * @counter: an #EvsPixelCounter (a gpointer, so that it serves as an
 *   #EvsIndexChunkFunc for evs_index_ensure_full())
 *
 * Counts a chunk's events and its time extent in one pass.
 */
void
evs_pixel_counter_add_chunk (const EvsEventChunk *chunk,
                             gpointer             counter)
{
  EvsPixelCounter *self = counter;
  const guint16 *restrict xs = chunk->x;
  const guint16 *restrict ys = chunk->y;
  const gsize n = chunk->n_events;
  guint32 *restrict counts;
  gsize w;
  gint64 lo, hi;
  guint max_x, max_y;

  if (n == 0)
    return;

  /* The extent first, in one vectorised pass: the counting loop is then
   * only loads and increments (it waits on the cache, and the fewer
   * instructions it has the more of its loads are in flight at once) */
  _evs_chunk_extent (chunk->t, xs, ys, n, &lo, &hi, &max_x, &max_y);
  if (max_x >= self->width || max_y >= self->height)
    evs_pixel_counter_grow (self, max_x + 1, max_y + 1); /* no or a wrong geometry */
  counts = self->counts;
  w = self->width;

  if (self->n_counted + n <= G_MAXUINT32)
    {
      for (gsize i = 0; i < n; i++)
        counts[ys[i] * w + xs[i]]++;
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        {
          guint32 *c = counts + ys[i] * w + xs[i];

          *c += *c < G_MAXUINT32;
        }
    }
  self->n_counted += n;
  self->t_first = MIN (self->t_first, lo);
  self->t_last = MAX (self->t_last, hi);
}

/**
 * evs_pixel_counter_get_duration:
 *
 * Returns: the time the counts cover, last − first event + 1 µs (1 when empty)
 */
gint64
evs_pixel_counter_get_duration (const EvsPixelCounter *counter)
{
  return counter->t_last >= counter->t_first ? counter->t_last - counter->t_first + 1 : 1;
}

/**
 * evs_pixel_counts_compute:
 * @reader: a reader; it is rewound before and after
 * @width: (inout): the sensor width; grown when events lie beyond it
 * @height: (inout): the sensor height; grown likewise
 * @duration_us: (out): the time the counts cover
 * @progress: (nullable): called every few chunks with the share read
 *
 * The per-pixel counts of the whole recording: from the cache an earlier
 * export or preview left beside the index, or counted in one streaming pass
 * (O(chunk + pixels) memory) and cached.
 *
 * Returns: (transfer full): guint32 counts, row-major, @width × @height
 */
GBytes *
evs_pixel_counts_compute (EvsReader             *reader,
                          guint                 *width,
                          guint                 *height,
                          gint64                *duration_us,
                          GCancellable          *cancellable,
                          EvsIndexProgressFunc   progress,
                          gpointer               user_data,
                          GError               **error)
{
  g_autoptr(EvsEventChunk) chunk = NULL;
  const char *path;
  EvsPixelCounter counter = { NULL, 0, 0, 0, 0, 0 };
  guint64 n_events = 0;
  guint n_chunks = 0;
  gint64 scan_mtime;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);
  g_return_val_if_fail (width != NULL && height != NULL && duration_us != NULL, NULL);

  path = evs_reader_get_info (reader)->path;
  if (path != NULL)
    counter.counts = evs_index_load_counts (path, &counter.width, &counter.height,
                                            &counter.t_first, &counter.t_last);
  if (counter.counts != NULL)
    {
      evs_pixel_counter_grow (&counter, *width, *height);
      goto done;
    }

  scan_mtime = evs_index_get_file_mtime_us (path);
  evs_pixel_counter_init (&counter, *width, *height);
  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);

  if (!evs_reader_rewind (reader, error))
    goto fail;

  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!evs_reader_read (reader, chunk, error))
        goto fail;
      if (chunk->n_events == 0)
        break;

      evs_pixel_counter_add_chunk (chunk, &counter);
      n_events += chunk->n_events;
      if (progress != NULL && (++n_chunks % 16) == 0)
        progress (evs_reader_get_fraction (reader), n_events, user_data);
    }

  if (!evs_reader_rewind (reader, error))
    goto fail;

  if (path != NULL)
    {
      g_autoptr(GError) cache_error = NULL;

      if (!evs_index_save_counts (path, scan_mtime, counter.counts, counter.width,
                                  counter.height, counter.t_first, counter.t_last, &cache_error))
        g_debug ("Pixel counts not cached: %s", cache_error->message);
    }

done:
  *width = counter.width;
  *height = counter.height;
  *duration_us = evs_pixel_counter_get_duration (&counter);

  return g_bytes_new_take (g_steal_pointer (&counter.counts),
                           (gsize) counter.width * counter.height * sizeof (guint32));

fail:
  evs_pixel_counter_clear (&counter);
  return NULL;
}

/**
 * evs_hot_pixel_map_new:
 * @counts: guint32 events per pixel, row-major, @width × @height
 *
 * Returns: (transfer full): the histogram of the pixels' log rates
 */
EvsHotPixelMap *
evs_hot_pixel_map_new (GBytes *counts,
                       guint   width,
                       guint   height,
                       gint64  duration_us,
                       guint   n_bins)
{
  EvsHotPixelMap *map;
  const guint32 *c;
  gsize n = (gsize) width * height;
  guint32 lo = G_MAXUINT32, hi = 0;

  g_return_val_if_fail (counts != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (counts) == n * sizeof (guint32), NULL);
  g_return_val_if_fail (n_bins > 0, NULL);

  map = g_new0 (EvsHotPixelMap, 1);
  g_atomic_ref_count_init (&map->ref_count);
  map->counts = g_bytes_ref (counts);
  map->width = width;
  map->height = height;
  map->duration_us = MAX (duration_us, 1);
  map->n_bins = n_bins;
  map->bins = g_new0 (guint64, n_bins);

  c = g_bytes_get_data (counts, NULL);
  for (gsize i = 0; i < n; i++)
    {
      if (c[i] == 0)
        {
          map->n_silent++;
          continue;
        }
      lo = MIN (lo, c[i]);
      hi = MAX (hi, c[i]);
    }
  if (hi == 0)
    {
      map->log_min = 0;
      map->log_max = 1;
      return map;
    }
  map->log_min = log10 (rate_of (lo, map->duration_us));
  map->log_max = log10 (rate_of (hi, map->duration_us));
  if (map->log_max - map->log_min < 1e-9)
    map->log_max = map->log_min + 1;

  for (gsize i = 0; i < n; i++)
    {
      double f;
      guint bin;

      if (c[i] == 0)
        continue;
      f = (log10 (rate_of (c[i], map->duration_us)) - map->log_min) / (map->log_max - map->log_min);
      bin = (guint) CLAMP (f * n_bins, 0, n_bins - 1);
      map->bins[bin]++;
      map->max_bin = MAX (map->max_bin, map->bins[bin]);
    }
  return map;
}

EvsHotPixelMap *
evs_hot_pixel_map_ref (EvsHotPixelMap *map)
{
  g_return_val_if_fail (map != NULL, NULL);

  g_atomic_ref_count_inc (&map->ref_count);
  return map;
}

void
evs_hot_pixel_map_unref (EvsHotPixelMap *map)
{
  g_return_if_fail (map != NULL);

  if (!g_atomic_ref_count_dec (&map->ref_count))
    return;
  g_bytes_unref (map->counts);
  g_free (map->bins);
  g_free (map);
}

double
evs_hot_pixel_map_get_rate (const EvsHotPixelMap *map,
                            guint                 x,
                            guint                 y)
{
  const guint32 *c;

  g_return_val_if_fail (map != NULL, 0);
  g_return_val_if_fail (x < map->width && y < map->height, 0);

  c = g_bytes_get_data (map->counts, NULL);
  return rate_of (c[(gsize) y * map->width + x], map->duration_us);
}

/**
 * evs_hot_pixel_map_is_hot:
 *
 * Returns: whether the pixel (@x, @y) has count > @max_rate_hz × duration,
 *   the test of evs_hot_pixel_map_count_hot() and the hot_pixels filter
 */
gboolean
evs_hot_pixel_map_is_hot (const EvsHotPixelMap *map,
                          double                max_rate_hz,
                          guint                 x,
                          guint                 y)
{
  const guint32 *c;

  g_return_val_if_fail (map != NULL, FALSE);
  g_return_val_if_fail (x < map->width && y < map->height, FALSE);

  c = g_bytes_get_data (map->counts, NULL);
  return c[(gsize) y * map->width + x] > max_rate_hz * (double) map->duration_us / 1e6;
}

/**
 * evs_hot_pixel_map_count_hot:
 * @n_events: (out) (optional): the events of the hot pixels
 *
 * Returns: the pixels with count > @max_rate_hz × duration
 */
guint64
evs_hot_pixel_map_count_hot (const EvsHotPixelMap *map,
                             double                max_rate_hz,
                             guint64              *n_events)
{
  const guint32 *c;
  double threshold;
  guint64 n_hot = 0, events = 0;

  g_return_val_if_fail (map != NULL, 0);

  c = g_bytes_get_data (map->counts, NULL);
  threshold = max_rate_hz * (double) map->duration_us / 1e6;
  for (gsize i = 0; i < (gsize) map->width * map->height; i++)
    if (c[i] > threshold)
      {
        n_hot++;
        events += c[i];
      }
  if (n_events != NULL)
    *n_events = events;
  return n_hot;
}

/**
 * evs_hot_pixel_map_render:
 * @stride: (out): bytes per row
 *
 * The rate map: grey by log rate over [log_min, log_max] (silent pixels
 * black), hot pixels (above @max_rate_hz) in %EVS_HOT_PIXEL_MAP_HOT_COLOR.
 *
 * Returns: (transfer full): B8G8R8A8-premultiplied pixels (cairo ARGB32)
 */
GBytes *
evs_hot_pixel_map_render (const EvsHotPixelMap *map,
                          double                max_rate_hz,
                          gsize                *stride)
{
  const guint32 *c;
  guint32 *pixels;
  double threshold, span;
  gsize n;

  g_return_val_if_fail (map != NULL, NULL);
  g_return_val_if_fail (stride != NULL, NULL);

  n = (gsize) map->width * map->height;
  c = g_bytes_get_data (map->counts, NULL);
  pixels = g_new (guint32, MAX (n, 1));
  threshold = max_rate_hz * (double) map->duration_us / 1e6;
  span = map->log_max - map->log_min;

  for (gsize i = 0; i < n; i++)
    {
      if (c[i] == 0)
        pixels[i] = 0xff000000u;
      else if (c[i] > threshold)
        pixels[i] = 0xff000000u | EVS_HOT_PIXEL_MAP_HOT_COLOR;
      else
        {
          double f = (log10 (rate_of (c[i], map->duration_us)) - map->log_min) / span;
          guint v = (guint) CLAMP (40 + f * 215, 40, 255);

          pixels[i] = 0xff000000u | v << 16 | v << 8 | v;
        }
    }
  *stride = (gsize) map->width * 4;
  return g_bytes_new_take (pixels, MAX (n, 1) * 4);
}
