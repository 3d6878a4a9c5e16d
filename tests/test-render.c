/* test-render.c
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
#include <string.h>
#include <sys/wait.h>

/* Golden pixel values for tiny inputs.  Colours: ON 0xffc83c, OFF 0x3c8cff,
 * background black; premultiplied ARGB32 read back as 0xAARRGGBB. */

static EvsEventChunk *
chunk_of (const gint64 *t,
          const guint  *x,
          const guint  *y,
          const guint  *p,
          gsize         n)
{
  EvsEventChunk *chunk = evs_event_chunk_new (MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    evs_event_chunk_push (chunk, t[i], x[i], y[i], p[i]);
  return chunk;
}

static void
params_for (EvsRenderParams *params,
            EvsViewMode      mode,
            gint64           t_end,
            gint64           window_us)
{
  evs_render_params_init (params);
  params->mode = mode;
  params->t_end = t_end;
  params->window_us = window_us;
}

static void
test_accumulate_on_off (void)
{
  /* ON, OFF, ON+OFF, one before the window, one at t_end (excluded), one off-sensor */
  const gint64 t[] = { 10, 20, 30, 31, -1, 1000, 40 };
  const guint x[] = { 0, 1, 2, 2, 0, 1, 3 };
  const guint y[] = { 0, 0, 0, 0, 1, 1, 0 };
  const guint p[] = { 1, 0, 1, 0, 1, 1, 1 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, G_N_ELEMENTS (t));
  g_autoptr(EvsFrame) frame = NULL;
  EvsRenderParams params;
  guint count;
  gint64 last;

  params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 1000, 1000);
  frame = evs_render_events (3, 2, &params, events);

  g_assert_cmpuint (frame->width, ==, 3);
  g_assert_cmpuint (frame->height, ==, 2);
  g_assert_cmpuint (frame->stride, ==, 12);
  g_assert_cmpuint (frame->n_events, ==, 4);
  g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xffffc83c);
  g_assert_cmphex (evs_frame_get_pixel (frame, 1, 0), ==, 0xff3c8cff);
  /* ON + OFF: the mean of the two colours, (157.5, 170, 157.5) */
  g_assert_cmphex (evs_frame_get_pixel (frame, 2, 0), ==, 0xff9eaa9e);
  g_assert_cmphex (evs_frame_get_pixel (frame, 0, 1), ==, 0xff000000);
  g_assert_cmphex (evs_frame_get_pixel (frame, 1, 1), ==, 0xff000000);
  g_assert_cmpuint (evs_frame_count_non_background (frame), ==, 3);

  /* Inspector state */
  g_assert_true (evs_frame_lookup (frame, 2, 0, &count, &last));
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpint (last, ==, 31);
  g_assert_true (evs_frame_lookup (frame, 1, 1, &count, &last));
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpint (last, ==, -1);
  g_assert_false (evs_frame_lookup (frame, 3, 0, NULL, NULL));
}

static void
test_accumulate_contrast_and_decay (void)
{
  const gint64 t[] = { 500, 0, 800, 999, 999 };
  const guint x[] = { 0, 1, 2, 3, 3 };
  const guint y[] = { 0, 0, 0, 0, 0 };
  const guint p[] = { 1, 1, 1, 1, 1 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, G_N_ELEMENTS (t));
  EvsRenderParams params;

  /* Contrast 0.5, no decay: a single event is half-way to the ON colour. */
  {
    g_autoptr(EvsFrame) frame = NULL;

    params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 1000, 1000);
    params.contrast = 0.5;
    frame = evs_render_events (4, 1, &params, events);
    g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xff80641e);
    /* Two events saturate */
    g_assert_cmphex (evs_frame_get_pixel (frame, 3, 0), ==, 0xffffc83c);
  }

  /* Linear: age 500 of 1000 weighs 0.5; age 1000 (t = t_start) weighs 0. */
  {
    g_autoptr(EvsFrame) frame = NULL;

    params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 1000, 1000);
    params.decay = EVS_DECAY_LINEAR;
    frame = evs_render_events (4, 1, &params, events);
    g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xff80641e);
    g_assert_cmphex (evs_frame_get_pixel (frame, 1, 0), ==, 0xff000000);
    /* age 200 → 0.8: 204, 160, 48 */
    g_assert_cmphex (evs_frame_get_pixel (frame, 2, 0), ==, 0xffcca030);
    g_assert_cmpuint (frame->n_events, ==, 5);
  }

  /* Exponential, τ = 100: age 200 weighs e^-2 → 34.5, 27.1, 8.1 */
  {
    g_autoptr(EvsFrame) frame = NULL;

    params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 1000, 1000);
    params.decay = EVS_DECAY_EXPONENTIAL;
    params.tau_us = 100;
    frame = evs_render_events (4, 1, &params, events);
    g_assert_cmphex (evs_frame_get_pixel (frame, 2, 0), ==, 0xff231b08);
    /* age 500 → e^-5 = 0.0067: 1.7, 1.3, 0.4 */
    g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xff020100);
  }
}

static void
test_accumulate_many (void)
{
  /* 20 ON events (beyond the small-count table), contrast 0.01: 0.2 × ON */
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (20);
  g_autoptr(EvsFrame) frame = NULL;
  EvsRenderParams params;

  for (guint i = 0; i < 20; i++)
    evs_event_chunk_push (events, i, 0, 0, 1);
  params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 100, 100);
  params.contrast = 0.01;
  frame = evs_render_events (1, 1, &params, events);
  g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xff33280c);
  g_assert_true (evs_frame_lookup (frame, 0, 0, NULL, NULL));
  g_assert_cmpuint (frame->counts[0], ==, 20);
}

static void
test_accumulate_mixed (void)
{
  /* Two ON and one OFF, contrast 0.25: intensity 0.75 of the colour mix
   * (2 ON + OFF) / 3 = (190, 180, 125) → (142.5, 135, 93.75) */
  const gint64 t[] = { 1, 2, 3 };
  const guint x[] = { 0, 0, 0 };
  const guint y[] = { 0, 0, 0 };
  const guint p[] = { 1, 1, 0 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, G_N_ELEMENTS (t));
  g_autoptr(EvsFrame) frame = NULL;
  EvsRenderParams params;

  params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 100, 100);
  params.contrast = 0.25;
  frame = evs_render_events (1, 1, &params, events);
  g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xff8f875e);
}

static void
test_accumulate_signed_grey (void)
{
  const gint64 t[] = { 1, 2, 3, 4, 5 };
  const guint x[] = { 0, 1, 2, 2, 3 };
  const guint y[] = { 0, 0, 0, 0, 0 };
  const guint p[] = { 1, 0, 1, 0, 1 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, G_N_ELEMENTS (t));
  g_autoptr(EvsFrame) frame = NULL;
  g_autoptr(EvsFrame) half = NULL;
  EvsRenderParams params;

  params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 100, 100);
  params.style = EVS_ACCUMULATE_STYLE_SIGNED_GREY;
  frame = evs_render_events (5, 1, &params, events);
  g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xffffffff);
  g_assert_cmphex (evs_frame_get_pixel (frame, 1, 0), ==, 0xff000000);
  g_assert_cmphex (evs_frame_get_pixel (frame, 2, 0), ==, 0xff808080);
  g_assert_cmphex (evs_frame_get_pixel (frame, 4, 0), ==, 0xff808080);
  g_assert_cmpuint (evs_frame_count_non_background (frame), ==, 3);

  /* contrast 0.5: 0.75 → 191.25 */
  params.contrast = 0.5;
  half = evs_render_events (5, 1, &params, events);
  g_assert_cmphex (evs_frame_get_pixel (half, 0, 0), ==, 0xffbfbfbf);
  g_assert_cmphex (evs_frame_get_pixel (half, 1, 0), ==, 0xff404040);
}

static void
test_time_surface (void)
{
  /* τ = 100, window [0, 1000): ON at 900 (age 100), OFF at 800 (age 200) on
   * pixel 1, both polarities on pixel 2. */
  const gint64 t[] = { 900, 800, 900, 800 };
  const guint x[] = { 0, 1, 2, 2 };
  const guint y[] = { 0, 0, 0, 0 };
  const guint p[] = { 1, 0, 1, 0 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, G_N_ELEMENTS (t));
  EvsRenderParams params;

  /* Merged, grey: e^-1 → 94, e^-2 → 34.5 → 35 (rounded half up) */
  {
    g_autoptr(EvsFrame) frame = NULL;

    params_for (&params, EVS_VIEW_MODE_TIME_SURFACE, 1000, 1000);
    params.tau_us = 100;
    params.colormap = EVS_COLORMAP_GREY;
    frame = evs_render_events (4, 1, &params, events);
    g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xff5e5e5e);
    g_assert_cmphex (evs_frame_get_pixel (frame, 1, 0), ==, 0xff232323);
    g_assert_cmphex (evs_frame_get_pixel (frame, 2, 0), ==, 0xff5e5e5e);
    g_assert_cmphex (evs_frame_get_pixel (frame, 3, 0), ==, 0xff000000);
  }

  /* Per polarity: 0.5 + 0.5 (S_on − S_off) */
  {
    g_autoptr(EvsFrame) frame = NULL;

    params_for (&params, EVS_VIEW_MODE_TIME_SURFACE, 1000, 1000);
    params.tau_us = 100;
    params.colormap = EVS_COLORMAP_GREY;
    params.split_polarity = TRUE;
    frame = evs_render_events (4, 1, &params, events);
    /* 0.6839 → 174.4 */
    g_assert_cmphex (evs_frame_get_pixel (frame, 0, 0), ==, 0xffaeaeae);
    /* 0.5 − 0.0677 = 0.4323 → 110.2 */
    g_assert_cmphex (evs_frame_get_pixel (frame, 1, 0), ==, 0xff6e6e6e);
    /* 0.5 + 0.5 (0.3679 − 0.1353) = 0.6163 → 157.2 */
    g_assert_cmphex (evs_frame_get_pixel (frame, 2, 0), ==, 0xff9d9d9d);
    g_assert_cmphex (evs_frame_get_pixel (frame, 3, 0), ==, 0xff808080);
  }

  /* Colormap ends: an empty pixel is the colormap's first colour. */
  {
    g_autoptr(EvsFrame) viridis = NULL;
    g_autoptr(EvsFrame) inferno = NULL;

    params_for (&params, EVS_VIEW_MODE_TIME_SURFACE, 1000, 1000);
    viridis = evs_render_events (4, 1, &params, events);
    g_assert_cmphex (evs_frame_get_pixel (viridis, 3, 0), ==, 0xff440154);
    params.colormap = EVS_COLORMAP_INFERNO;
    inferno = evs_render_events (4, 1, &params, events);
    g_assert_cmphex (evs_frame_get_pixel (inferno, 3, 0), ==, 0xff000004);
  }
}

static void
test_colormap_top (void)
{
  /* An event at t_end − 1 with τ huge gives S ≈ 1: the top colour. */
  const gint64 t[] = { 999 };
  const guint x[] = { 0 };
  const guint y[] = { 0 };
  const guint p[] = { 1 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, 1);
  g_autoptr(EvsFrame) viridis = NULL;
  g_autoptr(EvsFrame) inferno = NULL;
  EvsRenderParams params;

  params_for (&params, EVS_VIEW_MODE_TIME_SURFACE, 1000, 1000);
  params.tau_us = 1e9;
  viridis = evs_render_events (1, 1, &params, events);
  g_assert_cmphex (evs_frame_get_pixel (viridis, 0, 0), ==, 0xfffde725);
  params.colormap = EVS_COLORMAP_INFERNO;
  inferno = evs_render_events (1, 1, &params, events);
  g_assert_cmphex (evs_frame_get_pixel (inferno, 0, 0), ==, 0xfffcffa4);
}

static void
test_png_round_trip (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "frame.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "frame.png", NULL);
  const gint64 t[] = { 10, 20 };
  const guint x[] = { 0, 4 };
  const guint y[] = { 0, 2 };
  const guint p[] = { 1, 0 };
  g_autoptr(EvsEventChunk) events = chunk_of (t, x, y, p, 2);
  g_autoptr(EvsFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  EvsRenderParams params;
  cairo_surface_t *png;
  guint8 *data;
  int stride;

  params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 100, 100);
  frame = evs_render_events (5, 3, &params, events);
  g_assert_true (evs_frame_save_png (frame, path, &error));
  g_assert_no_error (error);

  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 5);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 3);
  data = cairo_image_surface_get_data (png);
  stride = cairo_image_surface_get_stride (png);
  for (guint yy = 0; yy < 3; yy++)
    for (guint xx = 0; xx < 5; xx++)
      g_assert_cmphex (*(guint32 *) (gpointer) (data + yy * stride + xx * 4), ==,
                       evs_frame_get_pixel (frame, xx, yy));
  cairo_surface_destroy (png);

  g_assert_false (evs_frame_save_png (frame, bad, &error));
  g_assert_nonnull (error);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  g_unlink (path);
  evs_test_remove_tree (dir);
}

/* Streaming a window from a file (seek + chunks) equals rendering the same
 * events from memory, in both modes, with and without an index. */
static void
test_render_window (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "synth.dat", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(EvsReader) reader = NULL;
  const gint64 ends[] = { 10000, 123456, 500000, 999999, 1200000 };

  evs_test_write_synthetic (path, EVS_FORMAT_DAT, 64, 48, 300000, 0, 1000000, 3);
  all = evs_test_read_all (path, 4096, &error);
  g_assert_no_error (error);
  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);

  for (guint pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        {
          g_autoptr(EvsIndex) index = evs_index_build (reader, NULL, NULL, NULL, &error);

          g_assert_no_error (error);
          evs_reader_set_index (reader, index);
        }

      for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
        for (guint mode = 0; mode < 2; mode++)
          {
            g_autoptr(EvsFrame) streamed = NULL;
            g_autoptr(EvsFrame) direct = NULL;
            EvsRenderParams params;

            params_for (&params, mode, ends[i], 7000);
            params.decay = EVS_DECAY_LINEAR;
            streamed = evs_render_window (reader, 64, 48, &params, NULL, &error);
            g_assert_no_error (error);
            direct = evs_render_events (64, 48, &params, all);
            g_assert_cmpuint (streamed->n_events, ==, direct->n_events);
            g_assert_true (g_bytes_equal (streamed->pixels, direct->pixels));
            g_assert_cmpmem (streamed->counts, 64 * 48 * 2, direct->counts, 64 * 48 * 2);
            if (ends[i] <= 1000000)
              g_assert_cmpuint (streamed->n_events, >, 1000);
          }
    }

  evs_test_remove_tree (dir);
}

/* One renderer reused frame after frame (as the loader does), with frames
 * kept alive or released in any order, gives exactly what a fresh renderer
 * gives: dense and sparse frames, both modes, recycled buffers. */
static void
test_reuse (void)
{
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (60000);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(EvsRenderer) renderer = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) evs_frame_unref);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func ((GDestroyNotify) evs_frame_unref);
  EvsRenderParams params;

  for (guint i = 0; i < 60000; i++)
    evs_event_chunk_push (events, i, g_rand_int_range (rand, 0, 40), g_rand_int_range (rand, 0, 30),
                          g_rand_int_range (rand, 0, 2));

  params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 100, 100);
  renderer = evs_renderer_new (40, 30, &params);

  for (guint k = 0; k < 40; k++)
    {
      g_autoptr(EvsFrame) fresh = NULL;
      EvsFrame *reused;

      /* Windows from 3 events (sparse) to 20000 (every pixel) */
      params_for (&params, k % 3 == 2 ? EVS_VIEW_MODE_TIME_SURFACE : EVS_VIEW_MODE_ACCUMULATE,
                  g_rand_int_range (rand, 100, 60000), (k % 2) ? 3 : g_rand_int_range (rand, 10, 20000));
      params.decay = k % 3;
      params.tau_us = 500;
      evs_renderer_reset (renderer, &params);
      evs_renderer_add (renderer, events);
      reused = evs_renderer_finish (renderer);
      fresh = evs_render_events (40, 30, &params, events);

      g_assert_true (g_bytes_equal (reused->pixels, fresh->pixels));
      g_assert_cmpmem (reused->counts, 40 * 30 * 2, fresh->counts, 40 * 30 * 2);
      g_assert_cmpmem (reused->last_t, 40 * 30 * 4, fresh->last_t, 40 * 30 * 4);
      g_assert_cmpuint (reused->n_events, ==, fresh->n_events);

      /* Keep some frames, drop older ones out of order; a kept frame never
       * changes while later frames are rendered. */
      g_ptr_array_add (kept, reused);
      g_ptr_array_add (copies, evs_render_events (40, 30, &params, events));
      if (kept->len > 3)
        {
          guint drop = g_rand_int_range (rand, 0, kept->len);

          g_ptr_array_remove_index (kept, drop);
          g_ptr_array_remove_index (copies, drop);
        }
      for (guint j = 0; j < kept->len; j++)
        {
          EvsFrame *a = g_ptr_array_index (kept, j);
          EvsFrame *b = g_ptr_array_index (copies, j);

          g_assert_true (g_bytes_equal (a->pixels, b->pixels));
          g_assert_cmpmem (a->counts, 40 * 30 * 2, b->counts, 40 * 30 * 2);
        }
    }
}

/* The renderer against a direct per-pixel reference: the straightforward
 * definition of every view (the renderer's first implementation), so that
 * the fast banded renderer is held to the same bytes in every mode, style,
 * decay and colormap, for sparse and dense windows, unordered times, many
 * events on one pixel (folded bands), sizes that are not a whole number of
 * bands, chunks added one after another and a frame finished twice. */

typedef struct
{
  guint    width, height;
  guint32 *pixels;
  guint16 *counts;
  gint32  *last_t;
  guint64  n_events;
} RefFrame;

static guint8
ref_to_byte (double v)
{
  if (!(v > 0.0))
    return 0;
  if (v >= 1.0)
    return 255;
  return (guint8) (v * 255.0 + 0.5);
}

static guint8
ref_clamp (double v)
{
  if (!(v > 0.0))
    return 0;
  if (v >= 255.0)
    return 255;
  return (guint8) (v + 0.5);
}

static guint32
ref_colormap (EvsColormap colormap,
              guint8      i)
{
  static const guint32 viridis[11] = {
    0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
    0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
  };
  static const guint32 inferno[11] = {
    0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754,
    0xdd513a, 0xf37819, 0xfca50a, 0xf6d746, 0xfcffa4,
  };
  const guint32 *stops = colormap == EVS_COLORMAP_INFERNO ? inferno : viridis;
  double pos = i / 255.0 * 10.0;
  guint k = MIN ((guint) pos, 9);
  double f = pos - k;
  guint32 rgb = 0;

  if (colormap == EVS_COLORMAP_GREY)
    return 0xff000000u | i << 16 | i << 8 | i;
  for (int shift = 16; shift >= 0; shift -= 8)
    rgb |= (guint32) ref_clamp (((stops[k] >> shift) & 0xff) * (1 - f)
                                + ((stops[k + 1] >> shift) & 0xff) * f) << shift;
  return 0xff000000u | rgb;
}

static double
ref_surface (gint32 last,
             gint64 window,
             double tau)
{
  return last <= 0 ? 0.0 : exp (-(double) (window - (last - 1)) * (1.0 / tau));
}

static void
ref_render (RefFrame              *ref,
            guint                  width,
            guint                  height,
            const EvsRenderParams *in,
            EvsEventChunk        **chunks,
            guint                  n_chunks)
{
  EvsRenderParams params = *in;
  gsize n = (gsize) width * height;
  g_autofree float *weight = g_new0 (float, 2 * n);
  g_autofree gint32 *last = g_new0 (gint32, 2 * n);
  gint64 t_start;

  params.window_us = CLAMP (params.window_us, 1, G_GINT64_CONSTANT (2000000000));
  t_start = params.t_end - params.window_us;
  ref->width = width;
  ref->height = height;
  ref->pixels = g_new0 (guint32, n);
  ref->counts = g_new0 (guint16, n);
  ref->last_t = g_new0 (gint32, n);
  ref->n_events = 0;

  for (guint k = 0; k < n_chunks; k++)
    for (gsize i = 0; i < chunks[k]->n_events; i++)
      {
        gint64 t = chunks[k]->t[i];
        guint x = chunks[k]->x[i], y = chunks[k]->y[i], p = chunks[k]->p[i] ? 1 : 0;
        gsize px = (gsize) y * width + x;
        double w = 1.0;

        if (t < t_start || t >= params.t_end || x >= width || y >= height)
          continue;
        if (ref->counts[px] != G_MAXUINT16)
          ref->counts[px]++;
        last[2 * px + p] = (gint32) (t - t_start + 1);
        if (params.decay == EVS_DECAY_LINEAR)
          w = 1.0 - (double) (params.t_end - t) / (double) params.window_us;
        else if (params.decay == EVS_DECAY_EXPONENTIAL)
          w = exp (-(double) (params.t_end - t) * (1.0 / params.tau_us));
        weight[2 * px + p] += (float) w;
        ref->n_events++;
      }

  for (gsize px = 0; px < n; px++)
    {
      double w_off = weight[2 * px], w_on = weight[2 * px + 1];
      gint32 l_off = last[2 * px], l_on = last[2 * px + 1];
      guint32 c;

      ref->last_t[px] = MAX (l_off, l_on);
      if (params.mode == EVS_VIEW_MODE_TIME_SURFACE)
        {
          double v;

          if (params.split_polarity)
            v = 0.5 + 0.5 * (ref_surface (l_on, params.window_us, params.tau_us)
                             - ref_surface (l_off, params.window_us, params.tau_us));
          else
            v = ref_surface (MAX (l_off, l_on), params.window_us, params.tau_us);
          c = ref_colormap (params.colormap, ref_to_byte (v));
        }
      else if (params.style == EVS_ACCUMULATE_STYLE_SIGNED_GREY)
        {
          guint8 g = ref_to_byte (0.5 + 0.5 * CLAMP (params.contrast * (w_on - w_off), -1.0, 1.0));

          c = 0xff000000u | g << 16 | g << 8 | g;
        }
      else if (!(w_on + w_off > 0))
        c = 0xff000000u;
      else
        {
          const guint32 on = EVS_RENDER_ON_COLOR, off = EVS_RENDER_OFF_COLOR;
          double a = MIN (1.0, params.contrast * (w_on + w_off));

          c = 0xff000000u;
          for (int shift = 16; shift >= 0; shift -= 8)
            {
              double mix = (w_on * ((on >> shift) & 0xff) + w_off * ((off >> shift) & 0xff))
                           / (w_on + w_off);

              c |= (guint32) ref_clamp (0.0 + a * (mix - 0.0)) << shift;
            }
        }
      ref->pixels[px] = c;
    }
}

static void
assert_same_as_ref (const EvsFrame *frame,
                    const RefFrame *ref)
{
  for (guint y = 0; y < ref->height; y++)
    for (guint x = 0; x < ref->width; x++)
      {
        gsize px = (gsize) y * ref->width + x;

        if (evs_frame_get_pixel (frame, x, y) != ref->pixels[px]
            || frame->counts[px] != ref->counts[px] || frame->last_t[px] != ref->last_t[px])
          g_error ("pixel (%u, %u): %08x count %u last %d, expected %08x count %u last %d", x, y,
                   evs_frame_get_pixel (frame, x, y), frame->counts[px], frame->last_t[px],
                   ref->pixels[px], ref->counts[px], ref->last_t[px]);
      }
  g_assert_cmpuint (frame->n_events, ==, ref->n_events);
}

static void
ref_frame_clear (RefFrame *ref)
{
  g_free (ref->pixels);
  g_free (ref->counts);
  g_free (ref->last_t);
}

static void
test_reference (void)
{
  static const guint sizes[][2] = { { 1280, 720 }, { 640, 480 }, { 37, 23 }, { 1, 1 } };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint width = sizes[s][0], height = sizes[s][1];
      g_autoptr(EvsRenderer) renderer = NULL;
      EvsRenderParams params;

      params_for (&params, EVS_VIEW_MODE_ACCUMULATE, 10000, 10000);
      renderer = evs_renderer_new (width, height, &params);

      for (guint k = 0; k < 24; k++)
        {
          /* sparse, dense, and one hot pixel (beyond a band's list) */
          guint n_events = (guint[]) { 300, 60000, 250000 }[k % 3];
          EvsEventChunk *chunks[3];
          RefFrame ref;
          g_autoptr(EvsFrame) frame = NULL;
          g_autoptr(EvsFrame) again = NULL;

          params_for (&params, (k / 3) % 2 ? EVS_VIEW_MODE_TIME_SURFACE : EVS_VIEW_MODE_ACCUMULATE,
                      g_rand_int_range (rand, 5000, 20000),
                      (k / 6) % 2 ? 300000 : g_rand_int_range (rand, 1000, 12000));
          params.decay = k % 3;
          params.style = (k / 2) % 2;
          params.split_polarity = (k / 4) % 2;
          params.colormap = k % 3;
          params.contrast = (double[]) { 1.0, 0.05, 0.3 }[k % 3];
          params.tau_us = g_rand_double_range (rand, 100, 8000);

          for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
            {
              chunks[c] = evs_event_chunk_new (n_events / 3 + 1);
              for (guint i = 0; i < n_events / 3; i++)
                {
                  gboolean hot = k % 3 == 2 && i % 2 == 0;
                  /* times mostly increasing, some out of order and outside */
                  gint64 t = (gint64) (c * (n_events / 3) + i) * 20000 / MAX (n_events, 1)
                             + (i % 7 == 0 ? g_rand_int_range (rand, -400, 400) : 0);

                  evs_event_chunk_push (chunks[c], t,
                                        hot ? width / 2 : g_rand_int_range (rand, 0, width + 2),
                                        hot ? height - 1 : g_rand_int_range (rand, 0, height + 1),
                                        g_rand_int_range (rand, 0, 2));
                }
            }

          ref_render (&ref, width, height, &params, chunks, 2);
          evs_renderer_reset (renderer, &params);
          evs_renderer_add (renderer, chunks[0]);
          evs_renderer_add (renderer, chunks[1]);
          frame = evs_renderer_finish (renderer);
          assert_same_as_ref (frame, &ref);
          ref_frame_clear (&ref);

          /* Finishing leaves the state: more events, then the frame of all */
          ref_render (&ref, width, height, &params, chunks, 3);
          evs_renderer_add (renderer, chunks[2]);
          again = evs_renderer_finish (renderer);
          assert_same_as_ref (again, &ref);
          ref_frame_clear (&ref);
          for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
            evs_event_chunk_unref (chunks[c]);
        }
    }
}

/* evscope-cli render writes exactly the pixels the viewer shows. */
static void
test_cli_render (void)
{
  const char *cli = g_getenv ("EVSCOPE_CLI");
  g_autofree char *dir = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsLoader) loader = NULL;
  g_autoptr(EvsFrame) frame = NULL;
  EvsRenderParams params;
  cairo_surface_t *png;
  guint8 *data;
  int status, stride;

  if (cli == NULL)
    {
      g_test_skip ("EVSCOPE_CLI is not set");
      return;
    }

  dir = evs_test_make_tmp_dir ();
  in = g_build_filename (dir, "in.dat", NULL);
  out = g_build_filename (dir, "out.png", NULL);
  evs_test_write_synthetic (in, EVS_FORMAT_DAT, 320, 240, 100000, 0, 1000000, 4);

  {
    const char *argv[] = { cli, "render", in, out, "--at-us", "456789", "--window-us", "30000",
                           "--mode", "time-surface", "--colormap", "inferno", "--tau-us", "3000",
                           "--split-polarity", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    g_test_message ("%s", err);
    g_assert_true (g_spawn_check_wait_status (status, &error));
    g_assert_no_error (error);
  }

  evs_render_params_init (&params);
  params.mode = EVS_VIEW_MODE_TIME_SURFACE;
  params.t_end = 456789;
  params.window_us = 30000;
  params.colormap = EVS_COLORMAP_INFERNO;
  params.tau_us = 3000;
  params.split_polarity = TRUE;
  loader = evs_loader_new ();
  g_assert_true (evs_loader_load (loader, in, NULL, &error));
  frame = evs_loader_render (loader, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (evs_frame_count_non_background (frame), >, 100);

  png = cairo_image_surface_create_from_png (out);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 320);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 240);
  data = cairo_image_surface_get_data (png);
  stride = cairo_image_surface_get_stride (png);
  for (guint y = 0; y < 240; y++)
    for (guint x = 0; x < 320; x++)
      {
        guint32 expected = evs_frame_get_pixel (frame, x, y);

        /* Opaque frames are saved as RGB. */
        g_assert_cmphex (expected >> 24, ==, 0xff);
        g_assert_cmphex (*(guint32 *) (gpointer) (data + y * stride + x * 4) & 0xffffff, ==,
                         expected & 0xffffff);
      }
  cairo_surface_destroy (png);

  /* A missing pipeline file is a usage error naming it */
  {
    const char *argv[] = { cli, "render", in, out, "--pipeline", "no-such-pipeline.json", NULL };
    g_autofree char *err2 = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err2, &status, &error));
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 2);
    g_assert_nonnull (strstr (err2, "no-such-pipeline.json"));
  }

  /* With a pipeline: exactly the workbench preview's kept frame, hot pixels
   * learnt from the whole recording */
  {
    g_autofree char *json = g_build_filename (dir, "p.json", NULL);
    g_autofree char *out2 = g_build_filename (dir, "filtered.png", NULL);
    const char *argv[] = { cli, "render", in, out2, "--at-us", "456789", "--window-us", "30000",
                           "--pipeline", json, NULL };
    g_autofree char *err2 = NULL;
    g_autoptr(EvsPipeline) pipeline = NULL;
    g_autoptr(EvsReader) reader = NULL;
    g_autoptr(EvsPreview) preview = NULL;
    g_autoptr(GBytes) counts = NULL;
    guint cw = 320, ch = 240;
    gint64 duration = 0;
    gsize differ = 0;

    g_assert_true (g_file_set_contents (json, "{\"version\": 1, \"filters\": ["
                                        "{\"type\": \"hot_pixels\", \"max_rate_hz\": 20},"
                                        "{\"type\": \"stcf\", \"window_us\": 3000}]}", -1, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err2, &status, &error));
    g_test_message ("%s", err2);
    g_assert_true (g_spawn_check_wait_status (status, &error));
    g_assert_no_error (error);

    pipeline = evs_pipeline_new_from_file (json, &error);
    g_assert_no_error (error);
    reader = evs_reader_open (in, &error);
    g_assert_no_error (error);
    counts = evs_pixel_counts_compute (reader, &cw, &ch, &duration, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    evs_pipeline_learn_counts (pipeline, g_bytes_get_data (counts, NULL), cw, ch, duration);
    evs_render_params_init (&params);
    params.t_end = 456789;
    params.window_us = 30000;
    preview = evs_preview_render (reader, pipeline, 320, 240, &params, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (preview->n_kept, <, preview->n_in);
    g_assert_cmpuint (preview->n_kept, >, 0);

    png = cairo_image_surface_create_from_png (out2);
    g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
    data = cairo_image_surface_get_data (png);
    stride = cairo_image_surface_get_stride (png);
    for (guint y = 0; y < 240; y++)
      for (guint x = 0; x < 320; x++)
        differ += (*(guint32 *) (gpointer) (data + y * stride + x * 4) & 0xffffff)
                  != (evs_frame_get_pixel (preview->kept, x, y) & 0xffffff);
    g_assert_cmpuint (differ, ==, 0);
    cairo_surface_destroy (png);
  }

  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache = NULL;
  int ret;

  /* Index caches go to a private directory (G_TEST_OPTION_ISOLATE_DIRS
   * would do it too, but leaks under LeakSanitizer). */
  g_test_init (&argc, &argv, NULL);
  cache = evs_test_make_tmp_dir ();
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  g_test_add_func ("/evs/render/accumulate/on-off", test_accumulate_on_off);
  g_test_add_func ("/evs/render/accumulate/contrast-decay", test_accumulate_contrast_and_decay);
  g_test_add_func ("/evs/render/accumulate/signed-grey", test_accumulate_signed_grey);
  g_test_add_func ("/evs/render/accumulate/mixed", test_accumulate_mixed);
  g_test_add_func ("/evs/render/accumulate/many", test_accumulate_many);
  g_test_add_func ("/evs/render/time-surface", test_time_surface);
  g_test_add_func ("/evs/render/colormap-top", test_colormap_top);
  g_test_add_func ("/evs/render/png", test_png_round_trip);
  g_test_add_func ("/evs/render/window", test_render_window);
  g_test_add_func ("/evs/render/reuse", test_reuse);
  g_test_add_func ("/evs/render/reference", test_reference);
  g_test_add_func ("/evs/render/cli", test_cli_render);

  ret = g_test_run ();
  evs_test_remove_tree (cache);
  return ret;
}
