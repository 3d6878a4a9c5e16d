/* test-export.c
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

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "evs-export-job.h"
#include "evs-filters.h"
#include "evs-pipeline.h"
#include "evs-synth.h"
#include "evs-test-utils.h"

static const char *all_filters =
  "{\"version\":1,\"filters\":["
  "{\"type\":\"monotonic\"},"
  "{\"type\":\"duplicates\"},"
  "{\"type\":\"time\",\"start_us\":1000,\"end_us\":90000000},"
  "{\"type\":\"roi\",\"rects\":[{\"x_min\":2,\"x_max\":50,\"y_min\":2,\"y_max\":58},"
  "{\"x_min\":100,\"x_max\":400,\"y_min\":50,\"y_max\":300}]},"
  "{\"type\":\"polarity\",\"keep\":\"on\",\"enabled\":false},"
  "{\"type\":\"hot_pixels\",\"max_rate_hz\":400},"
  "{\"type\":\"refractory\",\"period_us\":300},"
  "{\"type\":\"background_activity\",\"window_us\":20000},"
  "{\"type\":\"stcf\",\"window_us\":20000,\"min_neighbors\":2},"
  "{\"type\":\"activity\",\"window_us\":20000,\"min_events\":1}"
  "]}";

/* Writes a synthetic recording with the library (not the CLI) */
static void
write_synth (const char *path,
             guint       width,
             guint       height,
             gint64      duration,
             guint64     seed)
{
  EvsSynthParams params;
  g_autoptr(EvsSynth) synth = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsRecordingInfo) info = NULL;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  g_autoptr(GError) error = NULL;

  evs_synth_params_init (&params);
  params.width = width;
  params.height = height;
  params.duration_us = duration;
  params.seed = seed;
  params.t_start_us = 5000;
  params.noise_hz = 1.0;
  params.hot_rate_hz = 1000;
  synth = evs_synth_new (&params, &error);
  g_assert_no_error (error);
  writer = evs_writer_new (evs_format_for_output_path (path), path, &error);
  g_assert_no_error (error);
  info = evs_synth_create_info (synth);
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_no_error (error);
  while (evs_synth_fill (synth, chunk, NULL) > 0)
    {
      g_assert_true (evs_writer_write (writer, chunk, &error));
      evs_event_chunk_clear (chunk);
    }
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
}

/* What the export must produce, computed in memory from the whole input */
static EvsEventChunk *
expected_output (const char  *input,
                 EvsPipeline *pipeline_in,
                 gint64       start,
                 gint64       end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = evs_test_read_all (input, 4096, &error);
  g_autoptr(EvsPipeline) pipeline = evs_pipeline_copy (pipeline_in);
  EvsEventChunk *cut = evs_event_chunk_new (MAX (all->n_events, 1));

  g_assert_no_error (error);
  if (evs_pipeline_needs_first_pass (pipeline))
    {
      guint w = 0, h = 0;
      g_autofree guint32 *counts = NULL;

      for (gsize i = 0; i < all->n_events; i++)
        {
          w = MAX (w, all->x[i] + 1u);
          h = MAX (h, all->y[i] + 1u);
        }
      counts = g_new0 (guint32, (gsize) w * h);
      for (gsize i = 0; i < all->n_events; i++)
        counts[all->y[i] * w + all->x[i]]++;
      evs_pipeline_learn_counts (pipeline, counts, w, h,
                                 all->t[all->n_events - 1] - all->t[0] + 1);
    }
  for (gsize i = 0; i < all->n_events; i++)
    if (all->t[i] >= start && all->t[i] < end)
      evs_event_chunk_push (cut, all->t[i], all->x[i], all->y[i], all->p[i]);
  evs_pipeline_process (pipeline, cut);
  return cut;
}

/* Export @input with @pipeline and compare with the same in memory */
static void
check_export_with (const char  *input,
                   const char  *output,
                   EvsPipeline *pipeline,
                   gint64       start,
                   gint64       end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsExportJob) job = evs_export_job_new (input, output);
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(EvsEventChunk) got = NULL;

  evs_export_job_set_pipeline (job, pipeline);
  evs_export_job_set_time_range (job, start, end);
  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);
  expected = expected_output (input, pipeline, start, end);
  got = evs_test_read_all (output, 4096, &error);
  g_assert_no_error (error);
  g_test_message ("[%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "): %" G_GSIZE_FORMAT
                  " events written, %" G_GSIZE_FORMAT " expected", start, end, got->n_events,
                  expected->n_events);
  g_assert_cmpuint (got->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (got, 0, expected, 0, expected->n_events);
  g_assert_cmpuint (evs_export_job_get_n_events_out (job), ==, expected->n_events);
}

static void
check_export (const char *input,
              const char *output,
              gint64      start,
              gint64      end,
              gboolean    expect_drop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) pipeline = evs_pipeline_new_from_string (all_filters, NULL, &error);
  g_autoptr(EvsExportJob) job = evs_export_job_new (input, output);
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(EvsEventChunk) got = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *json = NULL;
  g_autofree char *abs_input = g_canonicalize_filename (input, NULL);
  const char *prov;
  EvsStageStats st;

  g_assert_no_error (error);
  evs_export_job_set_pipeline (job, pipeline);
  evs_export_job_set_time_range (job, start, end);
  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);
  summary = evs_export_job_dup_summary (job);
  g_test_message ("%s", summary);

  expected = expected_output (input, pipeline, start, end);
  reader = evs_reader_open (output, &error);
  g_assert_no_error (error);
  got = evs_test_read_reader (reader, 4096, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %zu events written, %zu expected", output, got->n_events,
                  expected->n_events);
  g_assert_cmpuint (got->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (got, 0, expected, 0, expected->n_events);
  g_assert_cmpuint (evs_export_job_get_n_events_out (job), ==, expected->n_events);
  g_assert_cmpfloat (evs_export_job_get_fraction (job), ==, 1.0);
  if (expect_drop)
    {
      g_assert_cmpuint (got->n_events, >, 0);
      g_assert_cmpuint (got->n_events, <, evs_export_job_get_n_events_in (job));
    }

  /* stage statistics are consistent */
  evs_pipeline_get_stage_stats (evs_export_job_get_pipeline (job), 0, &st);
  g_assert_cmpuint (st.in, ==, evs_export_job_get_n_events_in (job));
  evs_pipeline_get_stage_stats (evs_export_job_get_pipeline (job), 9, &st);
  g_assert_cmpuint (st.out, ==, expected->n_events);

  /* provenance */
  prov = evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_version");
  g_assert_cmpstr (prov, ==, PACKAGE_VERSION);
  prov = evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_source");
  g_assert_cmpstr (prov, ==, abs_input);
  prov = evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_pipeline");
  json = evs_pipeline_to_string (pipeline, FALSE);
  g_assert_cmpstr (prov, ==, json);
  {
    g_autoptr(EvsPipeline) again = evs_pipeline_new_from_string (prov, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (evs_pipeline_get_n_filters (again), ==, 10);
  }
}

static void
test_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;

  if (path == NULL)
    return;
  dir = evs_test_make_tmp_dir ();
  out = g_build_filename (dir, "out.dat", NULL);
  check_export (path, out, G_MININT64, G_MAXINT64, TRUE);
  check_export (path, out, 20000, 80000, TRUE);
  evs_test_remove_tree (dir);
}

static void
test_synthetic (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);

  write_synth (in, 640, 480, 400000, 3);
  check_export (in, out, G_MININT64, G_MAXINT64, TRUE);
  check_export (in, out, 105000, 301234, TRUE);
  evs_test_remove_tree (dir);
}

typedef struct
{
  GCancellable *cancellable;
  double        at;
  guint         calls;
  double        last;
} CancelData;

static void
cancel_progress_cb (EvsExportJob *job,
                    double        fraction,
                    double        eps,
                    gpointer      user_data)
{
  CancelData *d = user_data;

  d->calls++;
  g_assert_cmpfloat (fraction, >=, d->last);
  d->last = fraction;
  if (fraction >= d->at)
    g_cancellable_cancel (d->cancellable);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_cancel (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) pipeline = evs_pipeline_new_from_string (all_filters, NULL, NULL);
  CancelData d = { cancellable, 0.6, 0, 0 };
  g_autofree char *contents = NULL;

  write_synth (in, 640, 480, 400000, 4);   /* ≈ 1.3 M events: several chunks */

  /* no target yet: nothing is left behind */
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);

    evs_export_job_set_pipeline (job, pipeline);   /* two passes */
    evs_export_job_set_progress_interval (job, 0);
    evs_export_job_set_progress_func (job, cancel_progress_cb, &d, NULL);
    g_assert_false (evs_export_job_run (job, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpuint (d.calls, >, 2);
    g_assert_cmpfloat (d.last, <, 1.0);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (count_files (dir), ==, 1);
  }

  /* an existing target is untouched */
  g_assert_true (g_file_set_contents (out, "precious", -1, NULL));
  g_cancellable_reset (cancellable);
  d.calls = 0;
  d.last = 0;
  d.at = 0.3;
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);

    evs_export_job_set_progress_interval (job, 0);
    evs_export_job_set_progress_func (job, cancel_progress_cb, &d, NULL);
    g_assert_false (evs_export_job_run (job, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
  g_assert_cmpuint (count_files (dir), ==, 2);

  evs_test_remove_tree (dir);
}

static void
test_bad_destinations (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *hardlink = g_build_filename (dir, "link.dat", NULL);
  g_autofree char *ro = g_build_filename (dir, "ro", NULL);
  g_autofree char *ro_out = g_build_filename (ro, "out.dat", NULL);
  g_autofree char *not_dir = g_build_filename (in, "out.dat", NULL);
  g_autofree char *unknown = g_build_filename (dir, "out.xyz", NULL);
  g_autoptr(GError) error = NULL;

  write_synth (in, 64, 48, 50000, 5);

  /* the input itself, directly or through a link */
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, in);

    g_assert_false (evs_export_job_run (job, NULL, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  g_assert_cmpint (link (in, hardlink), ==, 0);
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, hardlink);

    g_assert_false (evs_export_job_run (job, NULL, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* a path below a regular file */
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, not_dir);

    g_assert_false (evs_export_job_run (job, NULL, &error));
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }

  /* an unknown extension */
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, unknown);

    g_assert_false (evs_export_job_run (job, NULL, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    g_assert_false (g_file_test (unknown, G_FILE_TEST_EXISTS));
  }

  /* a read-only folder (root may write anyway) */
  g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
  if (access (ro, W_OK) == 0)
    g_test_message ("running as root: the read-only folder check is skipped");
  else
    {
      g_autoptr(EvsExportJob) job = evs_export_job_new (in, ro_out);

      g_assert_false (evs_export_job_run (job, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_cmpuint (count_files (ro), ==, 0);
    }
  g_chmod (ro, 0755);

  /* a missing input */
  {
    g_autofree char *missing = g_build_filename (dir, "missing.dat", NULL);
    g_autofree char *out = g_build_filename (dir, "o.dat", NULL);
    g_autoptr(EvsExportJob) job = evs_export_job_new (missing, out);

    g_assert_false (evs_export_job_run (job, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }

  evs_test_remove_tree (dir);
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (evs_export_job_run_finish (EVS_EXPORT_JOB (object), result, error)
                  && *error != NULL);
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  (*count)++;
}

static void
test_async (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsExportJob) job = NULL;
  g_autoptr(EvsPipeline) pipeline = evs_pipeline_new_from_string (all_filters, NULL, NULL);
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(EvsEventChunk) got = NULL;
  GError *error = NULL;
  guint notifies = 0;
  gboolean running = TRUE;

  write_synth (in, 320, 240, 300000, 6);
  job = evs_export_job_new (in, out);
  evs_export_job_set_pipeline (job, pipeline);
  evs_export_job_set_progress_interval (job, 0);
  g_signal_connect (job, "notify::fraction", G_CALLBACK (notify_cb), &notifies);
  g_main_context_acquire (g_main_context_default ());
  evs_export_job_run_async (job, NULL, async_done_cb, &error);
  g_object_get (job, "running", &running, NULL);
  g_assert_true (running);
  for (guint i = 0; error == NULL && i < 100000; i++)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_main_context_release (g_main_context_default ());
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);   /* "done" */
  g_clear_error (&error);
  g_object_get (job, "running", &running, NULL);
  g_assert_false (running);
  g_assert_cmpuint (notifies, >=, 1);
  g_assert_cmpfloat (evs_export_job_get_fraction (job), ==, 1.0);

  expected = expected_output (in, pipeline, G_MININT64, G_MAXINT64);
  got = evs_test_read_all (out, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (got, 0, expected, 0, expected->n_events);
  g_assert_cmpuint (evs_export_job_get_n_events_out (job), ==, expected->n_events);

  evs_test_remove_tree (dir);
}

static void
test_learn_from_reader (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsFilter) f = evs_hot_pixels_filter_new ();
  g_autoptr(EvsSynth) synth = NULL;
  g_autoptr(EvsEventChunk) first = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autofree guint32 *found = NULL;
  EvsSynthParams params;
  const guint32 *hot;
  guint n_hot, n_found;

  write_synth (in, 320, 240, 500000, 8);
  /* the same parameters as write_synth: the same hot pixels */
  evs_synth_params_init (&params);
  params.width = 320;
  params.height = 240;
  params.duration_us = 500000;
  params.seed = 8;
  params.t_start_us = 5000;
  params.noise_hz = 1.0;
  params.hot_rate_hz = 1000;
  synth = evs_synth_new (&params, NULL);
  hot = evs_synth_get_hot_pixels (synth, &n_hot);

  /* hot pixels fire at 500–1500 Hz; busy edge pixels reach ~150 Hz */
  g_object_set (f, "max-rate-hz", 400.0, NULL);
  reader = evs_reader_open (in, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancelled);
  g_assert_false (evs_hot_pixels_filter_learn (EVS_HOT_PIXELS_FILTER (f), reader, cancelled,
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (evs_hot_pixels_filter_needs_learning (EVS_HOT_PIXELS_FILTER (f)));

  g_assert_true (evs_hot_pixels_filter_learn (EVS_HOT_PIXELS_FILTER (f), reader, NULL, &error));
  g_assert_no_error (error);
  found = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (f), &n_found);
  g_assert_cmpuint (n_found, ==, n_hot);
  for (guint i = 0; i < n_hot; i++)
    g_assert_true (evs_hot_pixels_filter_is_hot (EVS_HOT_PIXELS_FILTER (f), hot[i] & 0xFFFF,
                                                 hot[i] >> 16));

  /* the reader was rewound */
  first = evs_test_read_reader (reader, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->t[0], >=, 5000);
  g_assert_cmpint (first->t[0], <, 6000);

  evs_test_remove_tree (dir);
}

/* Time-sorted events with many equal timestamps from @t0 */
static void
push_random_events (EvsEventChunk *events,
                    guint          n,
                    gint64         t0,
                    guint          width,
                    guint          height,
                    guint32        seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 t = t0;

  for (guint i = 0; i < n; i++)
    {
      t += g_rand_int_range (rand, 0, 4);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, width),
                            g_rand_int_range (rand, 0, height), g_rand_int_range (rand, 0, 2));
    }
}

static void
write_events (const char          *path,
              const EvsEventChunk *events,
              guint                width,
              guint                height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsWriter) writer = evs_writer_new (evs_format_for_output_path (path), path, &error);

  g_assert_no_error (error);
  info->width = width;
  info->height = height;
  info->geometry_known = width > 0 && height > 0;
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_true (evs_writer_write (writer, events, &error));
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
}

/* When time steps back, the range still keeps exactly start ≤ t < end:
 * the export reads on instead of stopping at the first later event. */
static void
test_time_range_non_monotonic (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (600000);
  g_autoptr(EvsPipeline) none = evs_pipeline_new ();
  g_autoptr(EvsPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, end;

  /* two overlapping stretches, one after the other, each over a chunk */
  push_random_events (events, 300000, 5000000, 640, 480, 8);
  push_random_events (events, 300000, 5000000, 640, 480, 9);
  write_events (in, events, 640, 480);
  start = events->t[60000];
  end = events->t[200000];

  check_export_with (in, out, none, start, end);
  check_export_with (in, out, none, start, G_MAXINT64);
  check_export_with (in, out, none, G_MININT64, end);

  pipeline = evs_pipeline_new_from_string (all_filters, NULL, &error);
  g_assert_no_error (error);
  check_export_with (in, out, pipeline, start, end);

  evs_test_remove_tree (dir);
}

/* A RAW output needs sorted times: a step back inside a chunk, at the first
 * event of a chunk and right after one fails the export with the ordinal of
 * the event, whatever the reader learnt of the chunks before. */
static void
test_raw_rejects_step_back (void)
{
  const guint at[] = { 1000, 16384, 16385, 40000 };

  for (guint a = 0; a < G_N_ELEMENTS (at); a++)
    {
      g_autofree char *dir = evs_test_make_tmp_dir ();
      g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
      g_autofree char *out = g_build_filename (dir, "out.raw", NULL);
      g_autofree char *expected = g_strdup_printf ("event #%u ", at[a]);
      g_autoptr(EvsEventChunk) events = evs_event_chunk_new (60000);
      g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);
      g_autoptr(GError) error = NULL;

      push_random_events (events, 60000, 1000, 640, 480, 30 + a);
      events->t[at[a]] = events->t[at[a] - 1] - 1;
      write_events (in, events, 640, 480);

      g_assert_false (evs_export_job_run (job, NULL, &error));
      g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, expected));
      g_assert_nonnull (strstr (error->message, "“monotonic”"));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

      evs_test_remove_tree (dir);
    }
}

/* An input that states no sensor size: the index's extent becomes the
 * output's stated geometry and the filters' sensor. */
static void
test_geometry_from_index (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (100000);
  g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const EvsRecordingInfo *info;

  push_random_events (events, 100000, 0, 200, 150, 21);
  write_events (in, events, 0, 0);
  reader = evs_reader_open (in, &error);
  g_assert_no_error (error);
  g_assert_false (evs_reader_get_info (reader)->geometry_known);
  g_clear_object (&reader);

  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);
  reader = evs_reader_open (out, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, 200);
  g_assert_cmpuint (info->height, ==, 150);

  evs_test_remove_tree (dir);
}

typedef struct
{
  EvsExportPhase phases[8];
  guint          n_phases;
  double         last;
} PhaseData;

static void
phase_progress_cb (EvsExportJob *job,
                   double        fraction,
                   double        eps,
                   gpointer      user_data)
{
  PhaseData *d = user_data;
  EvsExportPhase phase = evs_export_job_get_phase (job);

  g_assert_cmpfloat (fraction, >=, d->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  d->last = fraction;
  if (phase != EVS_EXPORT_PHASE_NONE
      && (d->n_phases == 0 || d->phases[d->n_phases - 1] != phase))
    {
      g_assert_cmpuint (d->n_phases, <, G_N_ELEMENTS (d->phases));
      d->phases[d->n_phases++] = phase;
    }
}

/* Indexing (which counts the hot pixels too) and writing, in that order,
 * with one fraction over them; then with the index and counts cached, only
 * writing; with a damaged counts cache, counting and writing: always the
 * same output.  Extra provenance entries follow the job's own. */
static void
test_phases_and_comments (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(EvsPipeline) pipeline = NULL;
  g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  PhaseData d = { { 0 }, 0, 0.0 };
  const EvsRecordingInfo *info;
  g_autofree char *first_output = NULL;
  g_autofree char *second_output = NULL;
  g_autofree char *index_cache = evs_index_get_cache_path (in);
  g_autofree char *counts_cache = NULL;
  g_autofree char *cached = NULL;
  gsize first_len = 0, second_len = 0, cached_len = 0;

  write_synth (in, 320, 240, 300000, 7);
  pipeline = evs_pipeline_new_from_string ("{\"version\":1,\"filters\":["
                                           "{\"type\":\"hot_pixels\",\"max_rate_hz\":400}]}",
                                           NULL, &error);
  g_assert_no_error (error);
  evs_export_job_set_pipeline (job, pipeline);
  evs_export_job_set_time_range (job, 50000, 250000);
  evs_export_job_add_comment (job, "evscope_command evscope-cli export in.dat out.csv");
  evs_export_job_set_progress_interval (job, 0);
  evs_export_job_set_progress_func (job, phase_progress_cb, &d, NULL);
  g_assert_cmpint (evs_export_job_get_phase (job), ==, EVS_EXPORT_PHASE_NONE);
  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (evs_export_job_get_phase (job), ==, EVS_EXPORT_PHASE_NONE);

  /* the hot pixels are counted by the index scan: no separate pass */
  g_assert_cmpuint (d.n_phases, ==, 2);
  g_assert_cmpint (d.phases[0], ==, EVS_EXPORT_PHASE_INDEXING);
  g_assert_cmpint (d.phases[1], ==, EVS_EXPORT_PHASE_WRITING);
  g_assert_cmpfloat (d.last, ==, 1.0);
  g_assert_true (g_file_get_contents (out, &first_output, &first_len, NULL));

  reader = evs_reader_open (out, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_command"), ==,
                   "evscope-cli export in.dat out.csv");
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_time_range"), ==, "50000 250000");
  g_assert_nonnull (evs_recording_info_lookup (info, "evscope_pipeline"));

  /* The index and the pixel counts are cached now: a second run only
   * writes, the same output */
  g_clear_object (&reader);
  memset (&d, 0, sizeof d);
  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.n_phases, ==, 1);
  g_assert_cmpint (d.phases[0], ==, EVS_EXPORT_PHASE_WRITING);
  g_assert_true (g_file_get_contents (out, &second_output, &second_len, NULL));
  g_assert_cmpmem (first_output, first_len, second_output, second_len);
  g_clear_pointer (&second_output, g_free);

  /* A damaged or truncated counts cache is ignored: counted in a pass of
   * its own (the index is still cached), the same output again */
  counts_cache = g_strconcat (index_cache, ".counts", NULL);
  g_assert_true (g_file_get_contents (counts_cache, &cached, &cached_len, NULL));
  for (guint damage = 0; damage < 3; damage++)
    {
      if (damage == 0)
        g_assert_true (g_file_set_contents (counts_cache, cached, cached_len - 4, NULL));
      else if (damage == 1)
        g_assert_true (g_file_set_contents (counts_cache, "EVSCNT01 garbage", -1, NULL));
      else
        g_assert_cmpint (g_unlink (counts_cache), ==, 0);
      memset (&d, 0, sizeof d);
      g_assert_true (evs_export_job_run (job, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (d.n_phases, ==, 2);
      g_assert_cmpint (d.phases[0], ==, EVS_EXPORT_PHASE_COUNTING);
      g_assert_cmpint (d.phases[1], ==, EVS_EXPORT_PHASE_WRITING);
      g_assert_true (g_file_get_contents (out, &second_output, &second_len, NULL));
      g_assert_cmpmem (first_output, first_len, second_output, second_len);
      g_clear_pointer (&second_output, g_free);
    }

  /* A changed recording is counted again */
  write_synth (in, 320, 240, 300000, 8);
  memset (&d, 0, sizeof d);
  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.n_phases, ==, 2);
  g_assert_cmpint (d.phases[0], ==, EVS_EXPORT_PHASE_INDEXING);

  evs_test_remove_tree (dir);
}

/* evs_export_job_check() refuses without touching anything */
static void
test_check (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *sym = g_build_filename (dir, "sym.dat", NULL);
  g_autofree char *dotted = g_build_filename (dir, ".", "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(GError) error = NULL;

  write_synth (in, 64, 48, 20000, 5);
  g_assert_cmpint (symlink ("in.dat", sym), ==, 0);

  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);

    g_assert_true (evs_export_job_check (job, &error));
    g_assert_no_error (error);
    evs_export_job_set_time_range (job, 10, 5);
    g_assert_false (evs_export_job_check (job, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    evs_export_job_set_time_range (job, 5, 5);   /* empty, but valid */
    g_assert_true (evs_export_job_check (job, NULL));
    evs_export_job_set_format (job, EVS_FORMAT_AEDAT4);
    g_assert_false (evs_export_job_check (job, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(EvsExportJob) job = evs_export_job_new (in, i == 0 ? sym : dotted);

      g_assert_false (evs_export_job_check (job, &error));
      g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  {
    g_autoptr(EvsExportJob) job = evs_export_job_new (sym, in);

    g_assert_false (evs_export_job_check (job, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  g_assert_cmpuint (count_files (dir), ==, 2);

  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache_dir = evs_test_make_tmp_dir ();
  int status;

  /* the job caches indexes: keep them out of the user's cache */
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export/fixture", test_fixture);
  g_test_add_func ("/export/synthetic", test_synthetic);
  g_test_add_func ("/export/cancel", test_cancel);
  g_test_add_func ("/export/bad-destinations", test_bad_destinations);
  g_test_add_func ("/export/async", test_async);
  g_test_add_func ("/export/learn-from-reader", test_learn_from_reader);
  g_test_add_func ("/export/time-range-non-monotonic", test_time_range_non_monotonic);
  g_test_add_func ("/export/raw-rejects-step-back", test_raw_rejects_step_back);
  g_test_add_func ("/export/geometry-from-index", test_geometry_from_index);
  g_test_add_func ("/export/phases-and-comments", test_phases_and_comments);
  g_test_add_func ("/export/check", test_check);

  status = g_test_run ();
  evs_test_remove_tree (cache_dir);
  return status;
}
