/* test-filters.c
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

#include <string.h>

#include "evs-filters.h"
#include "evs-hot-pixel-map.h"
#include "evs-pipeline.h"
#include "evs-synth.h"
#include "evs-test-utils.h"

typedef struct
{
  gint64 t;
  guint  x, y, p;
} Ev;

static EvsEventChunk *
make_chunk (const Ev *evs,
            gsize     n)
{
  EvsEventChunk *chunk = evs_event_chunk_new (MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    evs_event_chunk_push (chunk, evs[i].t, evs[i].x, evs[i].y, evs[i].p);
  return chunk;
}

static void
check_keep (EvsFilter    *filter,
            const Ev     *evs,
            gsize         n,
            const guint8 *expected)
{
  g_autoptr(EvsEventChunk) chunk = make_chunk (evs, n);
  g_autofree guint8 *keep = g_malloc (n);

  evs_filter_reset (filter);
  memset (keep, 0xAA, n);
  evs_filter_process (filter, chunk, keep);
  for (gsize i = 0; i < n; i++)
    {
      if (keep[i] != expected[i])
        g_error ("%s: event %zu (t=%" G_GINT64_FORMAT " x=%u y=%u p=%u): keep=%u, expected %u",
                 evs_filter_get_type_name (filter), i, evs[i].t, evs[i].x, evs[i].y, evs[i].p,
                 keep[i], expected[i]);
    }

  /* the same, one event at a time */
  evs_filter_reset (filter);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(EvsEventChunk) one = make_chunk (evs + i, 1);
      guint8 k = 0xAA;

      evs_filter_process (filter, one, &k);
      g_assert_cmpuint (k, ==, expected[i]);
    }
}

static void
test_time (void)
{
  g_autoptr(EvsFilter) f = evs_time_filter_new ();
  const Ev evs[] = { { -5, 0, 0, 0 }, { 0, 1, 1, 1 }, { 10, 2, 2, 0 }, { 4999999, 0, 0, 1 },
                     { 5000000, 0, 0, 1 }, { 9000000, 1, 0, 1 } };
  const guint8 exp1[] = { 0, 1, 1, 1, 0, 0 };
  const guint8 all[] = { 1, 1, 1, 1, 1, 1 };

  g_object_set (f, "start-us", (gint64) 0, "end-us", (gint64) 5000000, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), exp1);
  evs_filter_set_enabled (f, FALSE);
  check_keep (f, evs, G_N_ELEMENTS (evs), all);
}

static void
test_roi (void)
{
  g_autoptr(EvsFilter) f = evs_roi_filter_new ();
  const Ev evs[] = { { 0, 0, 0, 0 }, { 1, 9, 9, 1 }, { 2, 10, 9, 0 }, { 3, 9, 10, 1 },
                     { 4, 50, 50, 1 }, { 5, 60, 61, 0 } };
  const guint8 none[] = { 1, 1, 1, 1, 1, 1 };
  const guint8 one[] = { 1, 1, 0, 0, 0, 0 };
  const guint8 inv[] = { 0, 0, 1, 1, 1, 1 };
  const guint8 two[] = { 1, 1, 0, 0, 1, 0 };
  EvsRoiRect r1 = { 0, 9, 0, 9 }, r2 = { 50, 60, 40, 60 };
  guint n;

  check_keep (f, evs, G_N_ELEMENTS (evs), none);
  evs_roi_filter_add_rect (EVS_ROI_FILTER (f), &r1);
  check_keep (f, evs, G_N_ELEMENTS (evs), one);
  g_object_set (f, "invert", TRUE, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), inv);
  g_object_set (f, "invert", FALSE, NULL);
  evs_roi_filter_add_rect (EVS_ROI_FILTER (f), &r2);
  check_keep (f, evs, G_N_ELEMENTS (evs), two);
  evs_roi_filter_get_rects (EVS_ROI_FILTER (f), &n);
  g_assert_cmpuint (n, ==, 2);
}

static void
test_polarity (void)
{
  g_autoptr(EvsFilter) f = evs_polarity_filter_new ();
  const Ev evs[] = { { 0, 0, 0, 0 }, { 1, 9, 9, 1 }, { 2, 10, 9, 1 }, { 3, 9, 10, 0 } };
  const guint8 on[] = { 0, 1, 1, 0 };
  const guint8 off[] = { 1, 0, 0, 1 };

  check_keep (f, evs, G_N_ELEMENTS (evs), on);
  g_object_set (f, "keep", EVS_POLARITY_KEEP_OFF, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), off);
}

static void
test_refractory (void)
{
  g_autoptr(EvsFilter) f = evs_refractory_filter_new ();
  const Ev evs[] = { { 1000, 3, 3, 1 }, { 1050, 3, 3, 0 }, { 1060, 4, 3, 1 }, { 1100, 3, 3, 1 },
                     { 1150, 3, 3, 1 }, { 1199, 3, 3, 1 }, { 1200, 3, 3, 0 }, { 1200, 4, 3, 1 } };
  const guint8 expected[] = { 1, 0, 1, 1, 0, 0, 1, 1 };

  g_object_set (f, "period-us", 100u, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), expected);
}

static void
test_background_activity (void)
{
  g_autoptr(EvsFilter) f = evs_background_activity_filter_new ();
  const Ev evs[] = {
    { 100, 5, 5, 1 },   /* no neighbour yet */
    { 150, 6, 5, 0 },   /* (5,5) 50 µs before */
    { 160, 5, 5, 1 },   /* (6,5) 10 µs before */
    { 400, 5, 5, 1 },   /* neighbours 250 µs old */
    { 410, 5, 5, 1 },   /* only itself: excluded */
    { 420, 4, 4, 0 },   /* diagonal neighbour (5,5) */
    { 430, 0, 0, 1 },   /* corner, no neighbour */
    { 440, 1, 1, 1 },   /* diagonal (0,0) */
    { 450, 7, 7, 1 },   /* two pixels away from (5,5)… */
    { 549, 6, 6, 1 },   /* (7,7) 99 µs before */
    { 650, 8, 8, 1 },   /* (7,7) 200 µs, (6,6) 101 µs */
  };
  const guint8 expected[] = { 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0 };

  g_object_set (f, "window-us", 100u, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), expected);
}

static void
test_stcf (void)
{
  g_autoptr(EvsFilter) f = evs_stcf_filter_new ();
  const Ev evs[] = {
    { 0, 5, 5, 1 },     /* 0 neighbours */
    { 10, 6, 5, 1 },    /* 1 */
    { 20, 5, 6, 0 },    /* 2 (5,5) and (6,5) */
    { 30, 6, 6, 1 },    /* 3 */
    { 35, 6, 6, 1 },    /* 3 (itself excluded) */
    { 200, 7, 7, 1 },   /* (6,6) 165 µs old: 0 */
  };
  const guint8 any[] = { 0, 0, 1, 1, 1, 0 };
  const guint8 match[] = { 0, 0, 0, 0, 0, 0 };
  const Ev evs2[] = {
    { 0, 5, 5, 1 }, { 10, 6, 5, 1 }, { 20, 5, 6, 1 }, { 30, 6, 6, 0 }, { 40, 4, 5, 1 },
  };
  const guint8 match2[] = { 0, 0, 1, 0, 1 };

  g_object_set (f, "window-us", 100u, "min-neighbors", 2u, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), any);
  g_object_set (f, "polarity-match", TRUE, NULL);
  check_keep (f, evs2, G_N_ELEMENTS (evs2), match2);
  g_object_set (f, "min-neighbors", 3u, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), match);
}

static void
test_activity (void)
{
  g_autoptr(EvsFilter) f = evs_activity_filter_new ();
  const Ev evs[] = {
    { 0, 1, 1, 1 },     /* activity 0 */
    { 10, 2, 2, 1 },    /* 0.99 */
    { 20, 1, 2, 0 },    /* 1.97 */
    { 30, 2, 1, 1 },    /* 2.94 */
    { 40, 40, 40, 1 },  /* far away: 0 */
    { 50, 5, 5, 1 },    /* adjacent cell (1,1): ≈ 3.9 */
    { 10000, 2, 2, 1 }, /* all decayed: ≈ 4.9·e^-9.95 */
  };
  const guint8 expected[] = { 0, 0, 0, 1, 0, 1, 0 };

  g_object_set (f, "cell-size", 4u, "window-us", 1000u, "min-events", 2.0, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), expected);
}

static void
test_duplicates (void)
{
  g_autoptr(EvsFilter) f = evs_duplicates_filter_new ();
  const Ev evs[] = { { 5, 1, 1, 1 }, { 5, 1, 1, 1 }, { 5, 1, 1, 0 }, { 5, 2, 2, 1 },
                     { 5, 1, 1, 1 }, { 6, 1, 1, 1 }, { 6, 1, 1, 0 }, { 6, 1, 1, 0 } };
  const guint8 expected[] = { 1, 0, 1, 1, 0, 1, 1, 0 };

  check_keep (f, evs, G_N_ELEMENTS (evs), expected);
}

static void
test_monotonic (void)
{
  g_autoptr(EvsFilter) f = evs_monotonic_filter_new ();
  const Ev evs[] = { { 0, 1, 1, 1 }, { 10, 1, 1, 1 }, { 5, 1, 1, 0 }, { 10, 2, 2, 1 },
                     { 20, 1, 1, 1 }, { 15, 1, 1, 1 } };
  const guint8 drop[] = { 1, 1, 0, 1, 1, 0 };
  const guint8 report[] = { 1, 1, 1, 1, 1, 1 };

  check_keep (f, evs, G_N_ELEMENTS (evs), drop);
  g_assert_cmpuint (evs_monotonic_filter_get_n_backwards (EVS_MONOTONIC_FILTER (f)), ==, 2);
  g_object_set (f, "action", EVS_MONOTONIC_ACTION_REPORT, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), report);
  g_assert_cmpuint (evs_monotonic_filter_get_n_backwards (EVS_MONOTONIC_FILTER (f)), ==, 2);
}

static void
test_hot_pixels (void)
{
  g_autoptr(EvsFilter) f = evs_hot_pixels_filter_new ();
  EvsHotPixelsFilter *hp = EVS_HOT_PIXELS_FILTER (f);
  guint32 counts[4 * 4];
  const Ev evs[] = { { 0, 1, 2, 1 }, { 1, 2, 2, 1 }, { 2, 3, 3, 0 }, { 3, 30, 30, 1 },
                     { 4, 1, 2, 0 } };
  const guint8 none[] = { 1, 1, 1, 1, 1 };
  const guint8 rate[] = { 0, 1, 1, 1, 0 };
  const guint8 rate2[] = { 0, 1, 0, 1, 0 };
  g_autofree guint32 *list = NULL;
  guint n;

  /* nothing learnt: keeps everything and asks for a first pass */
  g_assert_true (evs_hot_pixels_filter_needs_learning (hp));
  check_keep (f, evs, G_N_ELEMENTS (evs), none);

  for (guint i = 0; i < 16; i++)
    counts[i] = 10;
  counts[2 * 4 + 1] = 1000;   /* (1,2): 1000 Hz over 1 s */
  counts[3 * 4 + 3] = 101;    /* (3,3): 101 Hz */
  counts[0] = 100;            /* (0,0): exactly 100 Hz, not above */
  evs_hot_pixels_filter_learn_counts (hp, counts, 4, 4, 1000000);
  g_assert_false (evs_hot_pixels_filter_needs_learning (hp));
  g_object_set (f, "max-rate-hz", 200.0, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), rate);
  g_object_set (f, "max-rate-hz", 100.0, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), rate2);
  g_assert_false (evs_hot_pixels_filter_is_hot (hp, 0, 0));
  list = evs_hot_pixels_filter_get_hot_pixels (hp, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (list[0], ==, (1u | 2u << 16));
  g_assert_cmpuint (list[1], ==, (3u | 3u << 16));

  /* percentile over the active pixels: 16 counts, the 90th is 101 → only
   * (1,2) is above */
  g_object_set (f, "criterion", EVS_HOT_PIXELS_CRITERION_PERCENTILE, "percentile", 90.0, NULL);
  check_keep (f, evs, G_N_ELEMENTS (evs), rate);
}

/* The per-pixel counter of hot-pixel learning: exact counts, growth past
 * the stated sensor, the time extent, and saturation once 2^32 events
 * could have landed on one pixel. */
static void
test_pixel_counter (void)
{
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (64);
  EvsPixelCounter counter = { NULL, 0, 0, 0, 0, 0 };

  evs_pixel_counter_init (&counter, 4, 3);
  evs_event_chunk_push (chunk, 50, 1, 2, 1);
  evs_event_chunk_push (chunk, 40, 1, 2, 0);
  evs_event_chunk_push (chunk, 60, 3, 0, 1);
  evs_pixel_counter_add_chunk (chunk, &counter);
  g_assert_cmpuint (counter.width, ==, 4);
  g_assert_cmpuint (counter.counts[2 * 4 + 1], ==, 2);
  g_assert_cmpuint (counter.counts[0 * 4 + 3], ==, 1);
  g_assert_cmpint (counter.t_first, ==, 40);
  g_assert_cmpint (counter.t_last, ==, 60);

  /* beyond the sensor: the grid grows and keeps what it counted */
  evs_event_chunk_clear (chunk);
  evs_event_chunk_push (chunk, 70, 6, 4, 1);
  evs_event_chunk_push (chunk, 30, 1, 2, 1);
  evs_pixel_counter_add_chunk (chunk, &counter);
  g_assert_cmpuint (counter.width, ==, 7);
  g_assert_cmpuint (counter.height, ==, 5);
  g_assert_cmpuint (counter.counts[2 * 7 + 1], ==, 3);
  g_assert_cmpuint (counter.counts[0 * 7 + 3], ==, 1);
  g_assert_cmpuint (counter.counts[4 * 7 + 6], ==, 1);
  g_assert_cmpint (counter.t_first, ==, 30);
  g_assert_cmpint (counter.t_last, ==, 70);
  g_assert_cmpuint (counter.n_counted, ==, 5);

  /* a pixel at the top of its range stays there */
  counter.counts[0] = G_MAXUINT32 - 2;
  counter.n_counted = G_MAXUINT32 - 1;
  evs_event_chunk_clear (chunk);
  for (guint i = 0; i < 5; i++)
    evs_event_chunk_push (chunk, 80 + i, 0, 0, 0);
  evs_pixel_counter_add_chunk (chunk, &counter);
  g_assert_cmpuint (counter.counts[0], ==, G_MAXUINT32);
  g_assert_cmpuint (counter.counts[2 * 7 + 1], ==, 3);

  evs_pixel_counter_clear (&counter);
}

static void
test_hot_pixels_learn_window (void)
{
  g_autoptr(EvsFilter) f = evs_hot_pixels_filter_new ();
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (4096);
  g_autofree guint8 *keep = NULL;

  /* (3,4) fires every 100 µs (10 kHz); (7,7) every 10 ms (100 Hz) */
  for (gint64 t = 1000; t < 301000; t += 100)
    {
      evs_event_chunk_push (chunk, t, 3, 4, 1);
      if (t % 10000 == 0)
        evs_event_chunk_push (chunk, t, 7, 7, 0);
    }
  keep = g_malloc (chunk->n_events);
  g_object_set (f, "learn-ms", 100u, "max-rate-hz", 500.0, NULL);
  g_assert_false (evs_hot_pixels_filter_needs_learning (EVS_HOT_PIXELS_FILTER (f)));

  for (gsize i = 0; i < chunk->n_events; i += 1000)
    {
      EvsEventChunk part = *chunk;

      part.t += i;
      part.x += i;
      part.y += i;
      part.p += i;
      part.n_events = MIN (1000, chunk->n_events - i);
      evs_filter_process (f, &part, keep + i);
    }
  for (gsize i = 0; i < chunk->n_events; i++)
    {
      gboolean in_window = chunk->t[i] < 1000 + 100000;
      gboolean hot = chunk->x[i] == 3;

      g_assert_cmpuint (keep[i], ==, in_window || !hot);
    }
}

static void
test_hot_pixels_masks (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *txt = g_build_filename (dir, "mask.txt", NULL);
  g_autofree char *png = g_build_filename (dir, "mask.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.txt", NULL);
  g_autoptr(EvsFilter) f = evs_hot_pixels_filter_new ();
  g_autoptr(EvsFilter) g = evs_hot_pixels_filter_new ();
  g_autoptr(EvsFilter) h = evs_hot_pixels_filter_new ();
  g_autoptr(GError) error = NULL;
  guint32 counts[20 * 10] = { 0 };
  g_autofree guint32 *a = NULL;
  g_autofree guint32 *b = NULL;
  g_autofree guint32 *c = NULL;
  guint na, nb, nc;

  counts[3 * 20 + 17] = 5000;
  counts[0] = 5000;
  counts[9 * 20 + 19] = 5000;
  evs_filter_set_geometry (f, 20, 10);
  evs_hot_pixels_filter_learn_counts (EVS_HOT_PIXELS_FILTER (f), counts, 20, 10, 1000000);
  a = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (f), &na);
  g_assert_cmpuint (na, ==, 3);

  g_assert_true (evs_hot_pixels_filter_save_mask (EVS_HOT_PIXELS_FILTER (f), txt, &error));
  g_assert_no_error (error);
  g_assert_true (evs_hot_pixels_filter_save_mask (EVS_HOT_PIXELS_FILTER (f), png, &error));
  g_assert_no_error (error);

  g_assert_true (evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (g), txt, &error));
  g_assert_no_error (error);
  b = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (g), &nb);
  g_assert_true (evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (h), png, &error));
  g_assert_no_error (error);
  c = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (h), &nc);
  g_assert_cmpuint (nb, ==, na);
  g_assert_cmpuint (nc, ==, na);
  g_assert_cmpmem (a, na * 4, b, nb * 4);
  g_assert_cmpmem (a, na * 4, c, nc * 4);

  g_assert_true (g_file_set_contents (bad, "# ok\n1 2\n3 x\n", -1, NULL));
  g_assert_false (evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (g), bad, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, ":3:"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (bad, "100000 2\n", -1, NULL));
  g_assert_false (evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (g), bad, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (bad, "\x89PNG\r\n\x1a\ngarbage", -1, NULL));
  g_assert_false (evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (g), bad, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
  g_clear_error (&error);
  /* the previous good mask is still in place */
  g_assert_true (evs_hot_pixels_filter_is_hot (EVS_HOT_PIXELS_FILTER (g), 17, 3));

  /* An in-memory mask (the hot-pixel view's): exactly its pixels, no file,
   * and written out it reads back the same, PNG at the mask's size */
  {
    const guint32 pixels[] = { 5 | 1u << 16, 19 | 9u << 16, 25 | 2u << 16 /* outside */ };
    g_autoptr(EvsFilter) m = evs_hot_pixels_filter_new ();
    g_autofree char *mask_prop = NULL;
    g_autofree guint32 *d = NULL;
    g_autofree guint32 *e = NULL;
    guint nd, ne;
    EvsHotPixelsCriterion criterion;
    cairo_surface_t *surface;

    evs_hot_pixels_filter_set_mask (EVS_HOT_PIXELS_FILTER (g), pixels, G_N_ELEMENTS (pixels), 20,
                                    10);
    g_object_get (g, "mask", &mask_prop, "criterion", &criterion, NULL);
    g_assert_null (mask_prop);
    g_assert_cmpint (criterion, ==, EVS_HOT_PIXELS_CRITERION_MASK);
    d = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (g), &nd);
    g_assert_cmpuint (nd, ==, 2);
    g_assert_cmphex (d[0], ==, pixels[0]);
    g_assert_cmphex (d[1], ==, pixels[1]);
    g_assert_false (evs_hot_pixels_filter_is_hot (EVS_HOT_PIXELS_FILTER (g), 17, 3));

    g_assert_true (evs_hot_pixels_filter_save_mask (EVS_HOT_PIXELS_FILTER (g), png, &error));
    g_assert_no_error (error);
    surface = cairo_image_surface_create_from_png (png);
    g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 20);
    g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 10);
    cairo_surface_destroy (surface);
    g_assert_true (evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (m), png, &error));
    g_assert_no_error (error);
    e = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (m), &ne);
    g_assert_cmpmem (d, nd * 4, e, ne * 4);
    g_clear_pointer (&mask_prop, g_free);
    g_object_get (m, "mask", &mask_prop, NULL);
    g_assert_cmpstr (mask_prop, ==, png);
  }

  evs_test_remove_tree (dir);
}

/* Reference implementations with int64 times and explicit bounds checks */

static gboolean
recent (gint64 t,
        gint64 last,
        gint64 window)
{
  return last != G_MININT64 && t - last >= 0 && t - last < window;
}

static void
naive_neighbourhood (const EvsEventChunk *all,
                     guint                w,
                     guint                h,
                     const char          *type,
                     gint64               window,
                     guint                k,
                     gboolean             pol,
                     guint8              *keep)
{
  g_autofree gint64 *last = g_new (gint64, (gsize) w * h * 2);

  for (gsize i = 0; i < (gsize) w * h * 2; i++)
    last[i] = G_MININT64;

  for (gsize i = 0; i < all->n_events; i++)
    {
      gint64 t = all->t[i];
      int x = all->x[i], y = all->y[i];
      guint layer = pol ? all->p[i] : 0;
      guint count = 0;

      if (g_str_equal (type, "refractory"))
        {
          gint64 *l = &last[(gsize) y * w + x];

          keep[i] = !recent (t, *l, window);
          if (keep[i])
            *l = t;
          continue;
        }
      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          {
            int nx = x + dx, ny = y + dy;

            if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= (int) w || ny >= (int) h)
              continue;
            count += recent (t, last[((gsize) ny * w + nx) * 2 + layer], window);
          }
      keep[i] = count >= k;
      last[((gsize) y * w + x) * 2 + layer] = t;
    }
}

static EvsEventChunk *
synth_all (guint    width,
           guint    height,
           gint64   duration,
           guint64  seed,
           double   rate,
           guint8 **labels)
{
  EvsSynthParams params;
  g_autoptr(EvsSynth) synth = NULL;
  EvsEventChunk *all = evs_event_chunk_new (1 << 20);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (65536);
  g_autoptr(GByteArray) lab = g_byte_array_new ();
  guint8 buf[65536];

  evs_synth_params_init (&params);
  params.width = width;
  params.height = height;
  params.duration_us = duration;
  params.seed = seed;
  params.rate = rate;
  params.noise_hz = 5.0;
  params.hot_rate_hz = 3000;
  synth = evs_synth_new (&params, NULL);
  g_assert_nonnull (synth);
  for (;;)
    {
      evs_event_chunk_clear (chunk);
      if (evs_synth_fill (synth, chunk, buf) == 0)
        break;
      evs_event_chunk_append_range (all, chunk, 0, chunk->n_events);
      g_byte_array_append (lab, buf, chunk->n_events);
    }
  if (labels != NULL)
    *labels = g_byte_array_steal (lab, NULL);
  return all;
}

static void
test_reference (void)
{
  g_autoptr(EvsEventChunk) all = synth_all (160, 120, 400000, 7, 4e5, NULL);
  gsize n = all->n_events;
  g_autofree guint8 *a = g_malloc (n);
  g_autofree guint8 *b = g_malloc (n);
  struct { const char *type; const char *prop; guint window; guint k; gboolean pol; } cases[] = {
    { "refractory", "period-us", 1000, 0, FALSE },
    { "background_activity", "window-us", 2000, 1, FALSE },
    { "stcf", "window-us", 5000, 2, FALSE },
    { "stcf", "window-us", 3000, 3, TRUE },
  };

  g_assert_cmpuint (n, >, 100000);

  /* Time jumps beyond 2^32 µs and small backward steps exercise the
   * rebasing of the 32-bit relative times. */
  for (gsize i = n / 3; i < n; i++)
    all->t[i] += G_GINT64_CONSTANT (5000000000);
  for (gsize i = 2 * n / 3; i < n; i++)
    all->t[i] += G_GINT64_CONSTANT (3000000000);
  for (gsize i = 1000; i < n; i += 997)
    all->t[i] -= 3;

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(EvsFilter) f = evs_filter_new_for_type_name (cases[c].type, NULL);
      gsize kept = 0;

      g_object_set (f, cases[c].prop, cases[c].window, NULL);
      if (g_str_equal (cases[c].type, "stcf"))
        g_object_set (f, "min-neighbors", cases[c].k, "polarity-match", cases[c].pol, NULL);
      naive_neighbourhood (all, 160, 120, cases[c].type, cases[c].window, cases[c].k,
                           cases[c].pol, a);
      for (gsize i = 0; i < n; i += 4096)
        {
          EvsEventChunk part = *all;

          part.t += i;
          part.x += i;
          part.y += i;
          part.p += i;
          part.n_events = MIN (4096, n - i);
          evs_filter_process (f, &part, b + i);
        }
      for (gsize i = 0; i < n; i++)
        {
          if (a[i] != b[i])
            g_error ("%s: event %zu differs from the reference", cases[c].type, i);
          kept += a[i];
        }
      g_test_message ("%s: %zu of %zu kept, as the reference", cases[c].type, kept, n);
      g_assert_cmpuint (kept, >, 0);
      g_assert_cmpuint (kept, <, n);
    }
}

static void
run_in_slices (EvsFilter           *f,
               const EvsEventChunk *all,
               gsize                size,
               guint8              *keep)
{
  g_autoptr(EvsEventChunk) part = evs_event_chunk_new (size);

  evs_filter_reset (f);
  for (gsize i = 0; i < all->n_events; i += size)
    {
      gsize m = MIN (size, all->n_events - i);

      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, all, i, m);
      evs_filter_process (f, part, keep + i);
    }
}

static void
test_chunk_invariance (void)
{
  g_autoptr(EvsEventChunk) all = synth_all (128, 96, 150000, 3, 3e5, NULL);
  const gsize sizes[] = { 1, 7, 4096, 1 << 20 };
  const char * const *types = evs_filter_list_type_names ();
  gsize n = all->n_events;
  g_autofree guint8 *ref = g_malloc (n);
  g_autofree guint8 *got = g_malloc (n);

  for (guint t = 0; types[t] != NULL; t++)
    {
      g_autoptr(EvsFilter) f = evs_filter_new_for_type_name (types[t], NULL);
      gsize kept = 0;

      if (EVS_IS_TIME_FILTER (f))
        g_object_set (f, "start-us", (gint64) 20000, "end-us", (gint64) 100000, NULL);
      else if (EVS_IS_ROI_FILTER (f))
        {
          EvsRoiRect r = { 10, 70, 5, 50 };

          evs_roi_filter_add_rect (EVS_ROI_FILTER (f), &r);
        }
      else if (EVS_IS_HOT_PIXELS_FILTER (f))
        g_object_set (f, "learn-ms", 30u, NULL);
      else if (EVS_IS_ACTIVITY_FILTER (f))
        g_object_set (f, "min-events", 3.0, NULL);

      run_in_slices (f, all, sizes[G_N_ELEMENTS (sizes) - 1], ref);
      for (gsize i = 0; i < n; i++)
        kept += ref[i];
      g_test_message ("%s keeps %zu of %zu", types[t], kept, n);
      if (!EVS_IS_DUPLICATES_FILTER (f) && !EVS_IS_MONOTONIC_FILTER (f))
        g_assert_cmpuint (kept, <, n);
      g_assert_cmpuint (kept, >, 0);

      for (guint s = 0; s < G_N_ELEMENTS (sizes) - 1; s++)
        {
          run_in_slices (f, all, sizes[s], got);
          g_assert_cmpmem (ref, n, got, n);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/filters/time", test_time);
  g_test_add_func ("/filters/roi", test_roi);
  g_test_add_func ("/filters/polarity", test_polarity);
  g_test_add_func ("/filters/refractory", test_refractory);
  g_test_add_func ("/filters/background-activity", test_background_activity);
  g_test_add_func ("/filters/stcf", test_stcf);
  g_test_add_func ("/filters/activity", test_activity);
  g_test_add_func ("/filters/duplicates", test_duplicates);
  g_test_add_func ("/filters/monotonic", test_monotonic);
  g_test_add_func ("/filters/hot-pixels", test_hot_pixels);
  g_test_add_func ("/filters/pixel-counter", test_pixel_counter);
  g_test_add_func ("/filters/hot-pixels-learn-window", test_hot_pixels_learn_window);
  g_test_add_func ("/filters/hot-pixels-masks", test_hot_pixels_masks);
  g_test_add_func ("/filters/reference", test_reference);
  g_test_add_func ("/filters/chunk-invariance", test_chunk_invariance);

  return g_test_run ();
}
