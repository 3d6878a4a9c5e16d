/* test-loader.c
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

#include "evs-test-synth.h"
#include "evs-test-utils.h"

#include <glib/gstdio.h>
#include <math.h>

#define ITER_CONTEXT_WHILE(cond)                                         \
  G_STMT_START {                                                         \
    gint64 _deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;    \
    while (cond)                                                         \
      {                                                                  \
        g_assert_cmpint (g_get_monotonic_time (), <, _deadline);         \
        g_main_context_iteration (NULL, TRUE);                           \
      }                                                                  \
  } G_STMT_END

static char *tmp_dir;
static char *synth_path;

static const char *
get_synth (void)
{
  if (synth_path == NULL)
    {
      synth_path = g_build_filename (tmp_dir, "synth.dat", NULL);
      evs_test_write_synthetic (synth_path, EVS_FORMAT_DAT, 640, 480, 400000, 5000, 2000000, 11);
    }
  return synth_path;
}

static void
test_sync (void)
{
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(EvsFrame) frame = NULL;
  g_autoptr(EvsFrame) direct = NULL;
  EvsEventChunk *first;
  EvsIndex *index;
  EvsRenderParams params;
  gsize n_first;

  g_assert_true (evs_loader_load (loader, get_synth (), NULL, &error));
  g_assert_no_error (error);

  g_assert_nonnull (evs_loader_get_info (loader));
  g_assert_cmpint (evs_loader_get_info (loader)->format, ==, EVS_FORMAT_DAT);
  g_assert_cmpuint (evs_loader_get_width (loader), ==, 640);
  g_assert_cmpuint (evs_loader_get_height (loader), ==, 480);
  g_assert_cmpfloat (evs_loader_get_fraction (loader), ==, 1.0);
  g_assert_cmpuint (evs_loader_get_n_events (loader), ==, 400000);
  index = evs_loader_get_index (loader);
  g_assert_nonnull (index);
  g_assert_cmpuint (evs_index_get_n_events (index), ==, 400000);
  g_assert_cmpint (evs_index_get_t_first (index), ==, 5000);

  /* The first 10 ms, exactly */
  all = evs_test_read_all (get_synth (), 65536, &error);
  g_assert_no_error (error);
  n_first = evs_event_chunk_lower_bound (all, 5000 + EVS_LOADER_FIRST_WINDOW_US);
  first = evs_loader_get_first_events (loader);
  g_assert_nonnull (first);
  g_assert_cmpuint (first->n_events, ==, n_first);
  g_assert_cmpuint (n_first, ==, 2000);
  evs_test_assert_chunks_equal (first, 0, all, 0, n_first);

  /* Rendering through the loader equals rendering the events directly. */
  evs_render_params_init (&params);
  params.t_end = 1234567;
  params.window_us = 20000;
  frame = evs_loader_render (loader, &params, NULL, &error);
  g_assert_no_error (error);
  direct = evs_render_events (640, 480, &params, all);
  g_assert_true (g_bytes_equal (frame->pixels, direct->pixels));
  g_assert_cmpuint (frame->n_events, ==, 4000);
  g_assert_cmpuint (evs_frame_count_non_background (frame), >, 1000);

  /* A loader loads once. */
  g_assert_false (evs_loader_load (loader, get_synth (), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
}

/* A window of N events ends at t_end and starts at the N-th event before it. */
static void
test_count_window (void)
{
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  g_autoptr(GError) error = NULL;
  EvsRenderParams params;

  g_assert_true (evs_loader_load (loader, get_synth (), NULL, &error));

  /* Events are at 5000 + 5 i µs */
  evs_render_params_init (&params);
  params.t_end = 1000000;
  params.window_events = 1000;
  {
    g_autoptr(EvsFrame) frame = evs_loader_render (loader, &params, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (frame->t_start, ==, 995000);
    g_assert_cmpint (frame->t_end, ==, 1000000);
    g_assert_cmpuint (frame->n_events, ==, 1000);
  }

  /* Crossing many index chunks */
  params.window_events = 150000;
  params.t_end = 1600001;
  {
    g_autoptr(EvsFrame) frame = evs_loader_render (loader, &params, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (frame->t_start, ==, 1600000 - 5 * 149999);
    g_assert_cmpuint (frame->n_events, ==, 150000);
  }

  /* Fewer events than asked: the window starts at the first event */
  params.t_end = 5050;
  params.window_events = 1000;
  {
    g_autoptr(EvsFrame) frame = evs_loader_render (loader, &params, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (frame->t_start, ==, 5000);
    g_assert_cmpuint (frame->n_events, ==, 10);
  }
}

/* The timeline's rate: exact per bin from a pass, or spread from the index;
 * both add up to the recording's totals. */
static void
test_rate (void)
{
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsRate) exact = NULL;
  g_autoptr(EvsRate) coarse = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *on = NULL;
  g_autofree double *off = NULL;
  EvsIndex *index;
  double sum_on = 0, sum_off = 0, bin_us;
  EvsRate *rate;

  g_assert_true (evs_loader_load (loader, get_synth (), NULL, &error));
  index = evs_loader_get_index (loader);
  all = evs_test_read_all (get_synth (), 65536, &error);
  g_assert_no_error (error);

  /* Independent binning of every event */
  on = g_new0 (double, 64);
  off = g_new0 (double, 64);
  bin_us = (double) (all->t[all->n_events - 1] + 1 - all->t[0]) / 64;
  for (gsize i = 0; i < all->n_events; i++)
    {
      guint k = MIN ((guint) ((all->t[i] - all->t[0]) / bin_us), 63);

      if (all->p[i])
        on[k]++;
      else
        off[k]++;
    }

  reader = evs_reader_open (get_synth (), &error);
  g_assert_no_error (error);
  exact = evs_rate_new_from_reader (reader, evs_index_get_t_first (index),
                                    evs_index_get_t_last (index), 64, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exact->n_bins, ==, 64);
  g_assert_cmpint (exact->t_first, ==, 5000);
  g_assert_cmpint (exact->t_end, ==, evs_index_get_t_last (index) + 1);
  for (guint k = 0; k < 64; k++)
    {
      g_assert_cmpfloat (exact->on[k], ==, on[k]);
      g_assert_cmpfloat (exact->off[k], ==, off[k]);
    }

  coarse = evs_rate_new_from_index (index, 64);
  for (guint k = 0; k < 64; k++)
    {
      sum_on += coarse->on[k];
      sum_off += coarse->off[k];
    }
  g_assert_cmpfloat_with_epsilon (sum_on, evs_index_get_n_on (index), 1e-3);
  g_assert_cmpfloat_with_epsilon (sum_off, evs_index_get_n_events (index) - evs_index_get_n_on (index),
                                  1e-3);

  /* A small recording gets the exact rate */
  rate = evs_loader_get_rate (loader);
  g_assert_nonnull (rate);
  g_assert_cmpuint (rate->n_bins, ==, EVS_LOADER_RATE_BINS);
  sum_on = 0;
  for (guint k = 0; k < rate->n_bins; k++)
    {
      g_assert_cmpfloat (rate->on[k], ==, floor (rate->on[k]));
      sum_on += rate->on[k] + rate->off[k];
    }
  g_assert_cmpfloat (sum_on, ==, 400000);
  /* 400000 events evenly over 512 bins */
  g_assert_cmpfloat (evs_rate_get_max (rate), <=, 400000.0 / 512 + 2);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *counter = user_data;

  (*counter)++;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = evs_loader_load_finish (EVS_LOADER (object), result, error);

  g_assert_true (ok == (*error == NULL));
  *(gboolean *) ((GError **) user_data + 1) = TRUE;
}

typedef struct
{
  EvsFrame *frame;
  GError   *error;
  gboolean  done;
} RenderResult;

static void
render_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RenderResult *r = user_data;

  r->frame = evs_loader_render_finish (EVS_LOADER (object), result, &r->error);
  r->done = TRUE;
}

/* The asynchronous path: the first frame arrives before the index, the
 * properties are notified on this thread, latest render wins. */
static void
test_async (void)
{
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  struct { GError *error; gboolean done; } load = { NULL, FALSE };
  RenderResult first = { 0 }, r1 = { 0 }, r2 = { 0 };
  guint n_fraction = 0, n_info = 0, n_index = 0;
  EvsRenderParams params;

  g_signal_connect (loader, "notify::fraction", G_CALLBACK (notify_cb), &n_fraction);
  g_signal_connect (loader, "notify::info", G_CALLBACK (notify_cb), &n_info);
  g_signal_connect (loader, "notify::index", G_CALLBACK (notify_cb), &n_index);

  evs_render_params_init (&params);
  params.t_end = 5000 + 10000;
  evs_loader_load_async (loader, get_synth (), NULL, load_cb, &load);
  evs_loader_render_async (loader, &params, NULL, render_cb, &first);

  ITER_CONTEXT_WHILE (!first.done || !load.done);
  g_assert_no_error (load.error);
  g_assert_no_error (first.error);
  g_assert_cmpuint (first.frame->n_events, ==, 2000);
  g_assert_cmpuint (n_info, ==, 1);
  g_assert_cmpuint (n_index, ==, 1);
  g_assert_cmpuint (n_fraction, >=, 1);
  g_assert_nonnull (evs_loader_get_index (loader));

  /* Two requests back to back: the second always completes; the first is
   * either served already or cancelled, never lost. */
  params.t_end = 700000;
  evs_loader_render_async (loader, &params, NULL, render_cb, &r1);
  params.t_end = 900000;
  evs_loader_render_async (loader, &params, NULL, render_cb, &r2);
  ITER_CONTEXT_WHILE (!r1.done || !r2.done);
  g_assert_no_error (r2.error);
  g_assert_cmpint (r2.frame->t_end, ==, 900000);
  if (r1.error != NULL)
    g_assert_error (r1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_cmpint (r1.frame->t_end, ==, 700000);

  g_clear_pointer (&first.frame, evs_frame_unref);
  g_clear_pointer (&r1.frame, evs_frame_unref);
  g_clear_pointer (&r2.frame, evs_frame_unref);
  g_clear_error (&r1.error);
}

static char *big_path;

static const char *
get_big (void)
{
  if (big_path == NULL)
    {
      big_path = g_build_filename (tmp_dir, "big.dat", NULL);
      evs_test_write_synthetic (big_path, EVS_FORMAT_DAT, 640, 480, 10000000, 0, 10000000, 5);
    }
  return big_path;
}

static void
rate_cb (EvsLoader  *loader,
         GParamSpec *pspec,
         guint      *n_partial)
{
  EvsRate *rate = evs_loader_get_rate (loader);

  if (rate != NULL && rate->partial)
    {
      double sum = 0;

      /* A partial rate is published before the index, and never more
       * events than scanned so far */
      g_assert_null (evs_loader_get_index (loader));
      for (guint k = 0; k < rate->n_bins; k++)
        sum += rate->on[k] + rate->off[k];
      g_assert_cmpfloat (sum, <=, 10000000);
      g_assert_cmpfloat (sum, >, 0);
      (*n_partial)++;
    }
}

/* While the index is built, the timeline gets a partial rate */
static void
test_progressive_rate (void)
{
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  struct { GError *error; gboolean done; } load = { NULL, FALSE };
  guint n_partial = 0;
  EvsRate *rate;

  g_autofree char *cache = evs_index_get_cache_path (get_big ());

  /* Index from scratch, not from a cache an earlier test left */
  g_unlink (cache);
  g_signal_connect (loader, "notify::rate", G_CALLBACK (rate_cb), &n_partial);
  evs_loader_load_async (loader, get_big (), NULL, load_cb, &load);
  ITER_CONTEXT_WHILE (!load.done);
  g_assert_no_error (load.error);

  g_test_message ("%u partial rates before the index", n_partial);
  g_assert_cmpuint (n_partial, >=, 1);
  rate = evs_loader_get_rate (loader);
  g_assert_false (rate->partial);
  g_assert_cmpint (rate->t_end, ==, evs_index_get_t_last (evs_loader_get_index (loader)) + 1);
}

static void
test_partial_rate (void)
{
  const EvsRateMark marks[] = { { 0, 0, 0.5 }, { 1000, 1000, 1.0 }, { 2000, 3000, 0.0 } };
  g_autoptr(EvsRate) rate = evs_rate_new_partial (marks, 3, 4000, 4);

  g_assert_true (rate->partial);
  g_assert_cmpint (rate->t_first, ==, 0);
  g_assert_cmpint (rate->t_end, ==, 4000);
  g_assert_cmpfloat (rate->on[0], ==, 500);
  g_assert_cmpfloat (rate->off[0], ==, 500);
  g_assert_cmpfloat (rate->on[1], ==, 2000);
  g_assert_cmpfloat (rate->off[1], ==, 0);
  g_assert_cmpfloat (rate->on[2] + rate->off[2] + rate->on[3] + rate->off[3], ==, 0);
  g_assert_cmpfloat (evs_rate_get_max (rate), ==, 2000);
}

static void
test_cancel (void)
{
  const char *big = get_big ();
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  struct { GError *error; gboolean done; } load = { NULL, FALSE };

  evs_loader_load_async (loader, big, cancellable, load_cb, &load);
  ITER_CONTEXT_WHILE (evs_loader_get_info (loader) == NULL && !load.done);
  g_cancellable_cancel (cancellable);
  ITER_CONTEXT_WHILE (!load.done);

  /* Either the scan noticed the cancellation, or it was already done. */
  if (load.error != NULL)
    {
      g_assert_error (load.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (evs_loader_get_index (loader));
      g_clear_error (&load.error);
    }
}

static void
test_errors (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.raw", NULL);
  g_autofree char *garbage = g_build_filename (tmp_dir, "garbage.bin", NULL);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(EvsLoader) loader = evs_loader_new ();

    g_assert_false (evs_loader_load (loader, missing, NULL, &error));
    g_assert_nonnull (error);
    g_assert_null (evs_loader_get_info (loader));
    g_clear_error (&error);
  }

  g_assert_true (g_file_set_contents (garbage, "\x01\x02 not an event file \xff", -1, NULL));
  {
    g_autoptr(EvsLoader) loader = evs_loader_new ();
    EvsRenderParams params;

    g_assert_false (evs_loader_load (loader, garbage, NULL, &error));
    g_assert_nonnull (error);
    g_test_message ("garbage: %s", error->message);
    g_clear_error (&error);

    /* Rendering without an open recording is an error, not a crash. */
    evs_render_params_init (&params);
    g_assert_null (evs_loader_render (loader, &params, NULL, &error));
    g_assert_nonnull (error);
  }
}

static void
test_empty (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "empty.dat", NULL);
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsFrame) frame = NULL;
  EvsRenderParams params;

  evs_test_write_synthetic (path, EVS_FORMAT_DAT, 32, 24, 0, 0, 1000, 1);
  g_assert_true (evs_loader_load (loader, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (evs_loader_get_n_events (loader), ==, 0);
  g_assert_cmpuint (evs_loader_get_first_events (loader)->n_events, ==, 0);
  g_assert_cmpuint (evs_loader_get_width (loader), ==, 32);
  g_assert_nonnull (evs_loader_get_rate (loader));

  evs_render_params_init (&params);
  params.window_events = 100;
  frame = evs_loader_render (loader, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frame->n_events, ==, 0);
  g_assert_cmpuint (evs_frame_count_non_background (frame), ==, 0);
}

/* A header claiming a huge sensor does not make huge frames */
static void
test_huge_geometry (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "huge-geometry.dat", NULL);
  g_autoptr(GString) data = g_string_new ("% Data file containing Event2D events.\n"
                                          "% Version 2\n% Width 16384\n% Height 16384\n% end\n");
  g_autoptr(EvsLoader) loader = evs_loader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsFrame) frame = NULL;
  EvsRenderParams params;

  g_string_append_c (data, 0);
  g_string_append_c (data, 8);
  for (guint i = 0; i < 100; i++)
    {
      /* t, then x (14 bits) | y (14 bits) << 14 | p << 28 */
      guint32 t = GUINT32_TO_LE (i * 10);
      guint32 w = GUINT32_TO_LE ((i * 160) | ((i * 160) << 14) | ((i & 1) << 28));

      g_string_append_len (data, (const char *) &t, 4);
      g_string_append_len (data, (const char *) &w, 4);
    }
  g_assert_true (g_file_set_contents (path, data->str, data->len, &error));

  g_assert_true (evs_loader_load (loader, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (evs_loader_get_info (loader)->geometry_known);
  g_assert_cmpuint (evs_loader_get_info (loader)->width, ==, 16384);
  g_assert_cmpuint (evs_loader_get_width (loader), <=, EVS_LOADER_MAX_SIDE);
  g_assert_cmpuint ((guint64) evs_loader_get_width (loader) * evs_loader_get_height (loader), <=,
                    EVS_LOADER_MAX_PIXELS);

  evs_render_params_init (&params);
  params.t_end = 1000;
  params.window_us = 1000;
  frame = evs_loader_render (loader, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frame->width, ==, evs_loader_get_width (loader));
  /* Events up to x = y = 2047 fit, the rest are not drawn */
  g_assert_cmpuint (frame->n_events, ==, 13);
}

static void
test_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  g_autoptr(EvsLoader) loader = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;

  loader = evs_loader_new ();
  g_assert_true (evs_loader_load (loader, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (evs_loader_get_n_events (loader), ==, 4407);
  /* No geometry in the header: the frame covers the events (x ≤ 53, y ≤ 60). */
  g_assert_cmpuint (evs_loader_get_width (loader), ==, 54);
  g_assert_cmpuint (evs_loader_get_height (loader), ==, 61);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  /* Index caches go to the private directory (G_TEST_OPTION_ISOLATE_DIRS
   * would do it too, but leaks under LeakSanitizer). */
  g_test_init (&argc, &argv, NULL);
  tmp_dir = evs_test_make_tmp_dir ();
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);

  g_test_add_func ("/evs/loader/sync", test_sync);
  g_test_add_func ("/evs/loader/async", test_async);
  g_test_add_func ("/evs/loader/count-window", test_count_window);
  g_test_add_func ("/evs/loader/rate", test_rate);
  g_test_add_func ("/evs/loader/cancel", test_cancel);
  g_test_add_func ("/evs/loader/partial-rate", test_partial_rate);
  g_test_add_func ("/evs/loader/progressive-rate", test_progressive_rate);
  g_test_add_func ("/evs/loader/errors", test_errors);
  g_test_add_func ("/evs/loader/empty", test_empty);
  g_test_add_func ("/evs/loader/huge-geometry", test_huge_geometry);
  g_test_add_func ("/evs/loader/fixture", test_fixture);

  ret = g_test_run ();

  evs_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (synth_path);
  g_free (big_path);
  return ret;
}
