/* test-preview.c
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

#include "config.h"

#include "evs-filters.h"
#include "evs-hot-pixel-map.h"
#include "evs-preview.h"
#include "evs-test-synth.h"
#include "evs-test-utils.h"

#include <math.h>

/* The preview of one window, warm-up included, against the same pipeline
 * run over the whole recording (what an export does), counted in the
 * window. */

#define WIDTH  160
#define HEIGHT 120

static char *
write_recording (char **dir)
{
  *dir = evs_test_make_tmp_dir ();
  {
    char *path = g_build_filename (*dir, "rec.dat", NULL);

    evs_test_write_synthetic (path, EVS_FORMAT_DAT, WIDTH, HEIGHT, 200000, 1000, 1000000, 7);
    return path;
  }
}

static EvsPipeline *
make_pipeline (void)
{
  g_autoptr(GError) error = NULL;
  EvsPipeline *p = evs_pipeline_new_from_string (
    "{ \"version\": 1, \"filters\": ["
    "  { \"type\": \"refractory\", \"period_us\": 200 },"
    "  { \"type\": \"background_activity\", \"window_us\": 3000 },"
    "  { \"type\": \"stcf\", \"window_us\": 8000, \"min_neighbors\": 2 } ] }",
    NULL, &error);

  g_assert_no_error (error);
  return p;
}

static void
check_window (const char *path,
              EvsPipeline *pipeline,
              gint64      t_end,
              gint64      window_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = evs_test_read_all (path, 4096, &error);
  g_autoptr(EvsPipeline) whole = evs_pipeline_copy (pipeline);
  g_autoptr(EvsPipeline) copy = evs_pipeline_copy (pipeline);
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsPreview) preview = NULL;
  g_autoptr(EvsEventChunk) part = evs_event_chunk_new (4096);
  g_autofree guint8 *removed_by = g_malloc (4096);
  g_autofree guint8 *only_removed = g_malloc0 (WIDTH * HEIGHT);
  g_autofree guint8 *has_kept = g_malloc0 (WIDTH * HEIGHT);
  guint64 removed_by_stage[8] = { 0 };
  guint64 n_in = 0, n_kept = 0, n_kept_on = 0;
  gint64 t_start = t_end - window_us;
  EvsRenderParams params;
  const guint32 *overlay;
  const guint32 *kept;
  guint n_overlay_checked = 0;

  g_assert_no_error (error);
  evs_pipeline_set_geometry (whole, WIDTH, HEIGHT);

  /* Reference: the whole stream, chunk by chunk */
  for (gsize start = 0; start < all->n_events; start += 4096)
    {
      gsize n = MIN (4096, all->n_events - start);

      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, all, start, n);
      evs_pipeline_process_mask (whole, part, NULL, removed_by);
      for (gsize i = 0; i < n; i++)
        {
          guint px = part->y[i] * WIDTH + part->x[i];

          if (part->t[i] < t_start || part->t[i] >= t_end)
            continue;
          n_in++;
          if (removed_by[i] == 0)
            {
              n_kept++;
              n_kept_on += part->p[i] != 0;
              has_kept[px] = 1;
            }
          else
            {
              removed_by_stage[removed_by[i] - 1]++;
              only_removed[px] = 1;
            }
        }
    }

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  evs_render_params_init (&params);
  params.t_end = t_end;
  params.window_us = window_us;
  preview = evs_preview_render (reader, copy, WIDTH, HEIGHT, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (preview);

  g_assert_cmpint (preview->warmup_us, ==, 8000);
  g_assert_cmpint (preview->t_start, ==, t_start);
  g_assert_cmpuint (n_in, >, 200);
  g_assert_cmpuint (n_kept, <, n_in);
  g_assert_cmpuint (preview->n_in, ==, n_in);
  g_assert_cmpuint (preview->n_kept, ==, n_kept);
  g_assert_cmpuint (preview->n_kept_on, ==, n_kept_on);
  g_assert_cmpuint (preview->kept->n_events, ==, n_kept);
  g_assert_cmpuint (preview->n_stages, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_test_message ("stage %u removed %" G_GUINT64_FORMAT, i, removed_by_stage[i]);
      g_assert_cmpuint (preview->stages[i].in - preview->stages[i].out, ==, removed_by_stage[i]);
    }
  g_assert_cmpuint (preview->stages[0].in, ==, n_in);
  g_assert_cmpuint (preview->stages[2].out, ==, n_kept);

  /* Removed pixels are painted over the kept frame; others are the kept frame */
  overlay = g_bytes_get_data (preview->overlay, NULL);
  kept = g_bytes_get_data (preview->kept->pixels, NULL);
  for (guint y = 0; y < HEIGHT; y++)
    for (guint x = 0; x < WIDTH; x++)
      {
        guint32 o = overlay[y * (preview->kept->stride / 4) + x];
        guint32 k = kept[y * (preview->kept->stride / 4) + x];

        if (only_removed[y * WIDTH + x])
          {
            g_assert_cmphex (o, ==, 0xff000000u | EVS_PREVIEW_REMOVED_COLOR);
            n_overlay_checked++;
          }
        else
          g_assert_cmphex (o, ==, k);
        if (has_kept[y * WIDTH + x])
          g_assert_cmphex (k, !=, 0xff000000u);
      }
  g_assert_cmpuint (n_overlay_checked, >, 0);
}

static void
test_matches_whole_stream (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = write_recording (&dir);
  g_autoptr(EvsPipeline) pipeline = make_pipeline ();

  check_window (path, pipeline, 500000, 20000);
  check_window (path, pipeline, 950000, 5000);
  /* A window at the very start: the warm-up is clipped to the recording */
  check_window (path, pipeline, 6000, 5000);
  evs_test_remove_tree (dir);
}

static void
test_warmup (void)
{
  g_autoptr(EvsPipeline) p = evs_pipeline_new ();
  g_autoptr(EvsFilter) stcf = evs_filter_new_for_type_name ("stcf", NULL);
  g_autoptr(EvsFilter) refractory = evs_filter_new_for_type_name ("refractory", NULL);
  g_autoptr(EvsFilter) roi = evs_filter_new_for_type_name ("roi", NULL);

  g_assert_cmpint (evs_preview_get_warmup_us (p), ==, 0);
  evs_pipeline_append (p, roi);
  g_assert_cmpint (evs_preview_get_warmup_us (p), ==, 0);
  g_object_set (stcf, "window-us", 12000, NULL);
  evs_pipeline_append (p, stcf);
  g_object_set (refractory, "period-us", 30000, NULL);
  evs_pipeline_append (p, refractory);
  g_assert_cmpint (evs_preview_get_warmup_us (p), ==, 30000);
  evs_filter_set_enabled (refractory, FALSE);
  g_assert_cmpint (evs_preview_get_warmup_us (p), ==, 12000);
  g_object_set (stcf, "window-us", 50000000, NULL);
  g_assert_cmpint (evs_preview_get_warmup_us (p), ==, EVS_PREVIEW_MAX_WARMUP_US);
}

/* The map's hot pixels are the hot_pixels filter's at the same threshold */
static void
test_hot_pixel_map (void)
{
  const guint w = 4, h = 3;
  guint32 counts[12] = { 0, 1, 2, 4, 10, 20, 40, 100, 1000, 0, 5, 3 };
  g_autoptr(GBytes) bytes = g_bytes_new (counts, sizeof counts);
  g_autoptr(EvsHotPixelMap) map = evs_hot_pixel_map_new (bytes, w, h, 2000000, 8);
  g_autoptr(EvsFilter) filter = evs_filter_new_for_type_name ("hot_pixels", NULL);
  g_autoptr(GBytes) pixels = NULL;
  g_autofree guint32 *hot = NULL;
  const guint32 *px;
  guint64 total = 0, n_events = 0;
  guint n_hot = 0;
  gsize stride;

  /* Rates over 2 s: 0.5 Hz … 500 Hz */
  g_assert_cmpuint (map->n_silent, ==, 2);
  g_assert_cmpfloat_with_epsilon (map->log_min, log10 (0.5), 1e-12);
  g_assert_cmpfloat_with_epsilon (map->log_max, log10 (500), 1e-12);
  for (guint i = 0; i < map->n_bins; i++)
    total += map->bins[i];
  g_assert_cmpuint (total, ==, 10);
  g_assert_cmpuint (map->bins[0], ==, 2);  /* 0.5 and 1 Hz: 3 decades in 8 bins */
  g_assert_cmpuint (map->bins[7], ==, 1);
  g_assert_cmpfloat_with_epsilon (evs_hot_pixel_map_get_rate (map, 0, 2), 500.0, 1e-9);

  /* > 10 Hz over 2 s: count > 20 → 40, 100, 1000 */
  g_assert_cmpuint (evs_hot_pixel_map_count_hot (map, 10.0, &n_events), ==, 3);
  g_assert_cmpuint (n_events, ==, 1140);
  g_object_set (filter, "max-rate-hz", 10.0, NULL);
  evs_hot_pixels_filter_learn_counts (EVS_HOT_PIXELS_FILTER (filter), counts, w, h, 2000000);
  hot = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (filter), &n_hot);
  g_assert_cmpuint (n_hot, ==, 3);

  pixels = evs_hot_pixel_map_render (map, 10.0, &stride);
  g_assert_cmpuint (stride, ==, 16);
  px = g_bytes_get_data (pixels, NULL);
  g_assert_cmphex (px[0], ==, 0xff000000u);                                 /* silent */
  g_assert_cmphex (px[6], ==, 0xff000000u | EVS_HOT_PIXEL_MAP_HOT_COLOR);   /* 40 events */
  g_assert_cmphex (px[1], ==, 0xff282828u);                                 /* the lowest rate */
  g_assert_cmphex (px[5], ==, 0xff000000u | 0x010101u * (guint) (40 + (log10 (10.0) - log10 (0.5)) / (log10 (500) - log10 (0.5)) * 215)); /* 20 events: not hot */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/preview/matches-whole-stream", test_matches_whole_stream);
  g_test_add_func ("/evs/preview/warmup", test_warmup);
  g_test_add_func ("/evs/preview/hot-pixel-map", test_hot_pixel_map);

  return g_test_run ();
}
