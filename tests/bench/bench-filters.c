/* bench-filters.c
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
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "evs-export-job.h"
#include "evs-filters.h"
#include "evs-pipeline.h"
#include "evs-synth.h"
#include "evs-writer.h"

/*
 * bench-filters filters: refractory, background_activity and stcf on
 * ≥ 50 M realistic synthetic events (a 640×480 synthetic stream of about
 * 4 M events generated once into a pool of chunks, replayed with the time
 * shifted on each lap so the stream keeps going forward); only the
 * filters' process() calls are timed; median of 5 runs.
 *
 * bench-filters export: writes a ≥ 50 M event synthetic DAT, then exports
 * it DAT → DAT through hot_pixels (two passes) + stcf + roi, reporting
 * M events/s and the peak RSS of the process.
 *
 * EVS_BENCH_EVENTS overrides the number of events (default 50 M).
 */

#define CHUNK 65536
#define RUNS 5

static guint64
n_target_events (void)
{
  const char *env = g_getenv ("EVS_BENCH_EVENTS");

  return env != NULL ? g_ascii_strtoull (env, NULL, 10) : 50000000;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static GPtrArray *
make_pool (gint64 *duration)
{
  EvsSynthParams params;
  g_autoptr(EvsSynth) synth = NULL;
  GPtrArray *pool = g_ptr_array_new_with_free_func ((GDestroyNotify) evs_event_chunk_unref);

  evs_synth_params_init (&params);
  params.duration_us = 1300000;   /* ≈ 4 M events */
  params.seed = 42;
  *duration = params.duration_us;
  synth = evs_synth_new (&params, NULL);
  for (;;)
    {
      EvsEventChunk *chunk = evs_event_chunk_new (CHUNK);

      if (evs_synth_fill (synth, chunk, NULL) == 0)
        {
          evs_event_chunk_unref (chunk);
          break;
        }
      g_ptr_array_add (pool, chunk);
    }
  return pool;
}

static double
run_filter (EvsFilter *filter,
            GPtrArray *pool,
            gint64     duration,
            guint64    n_events,
            guint64   *kept_out)
{
  g_autoptr(EvsEventChunk) work = evs_event_chunk_new (CHUNK);
  g_autofree guint8 *keep = g_malloc (CHUNK);
  guint64 done = 0, kept = 0;
  gint64 elapsed = 0;

  evs_filter_reset (filter);
  for (guint lap = 0; done < n_events; lap++)
    {
      gint64 shift = lap * (duration + 1000);

      for (guint c = 0; c < pool->len && done < n_events; c++)
        {
          EvsEventChunk *src = g_ptr_array_index (pool, c);
          gint64 t0;

          evs_event_chunk_clear (work);
          evs_event_chunk_append_range (work, src, 0, src->n_events);
          for (gsize i = 0; i < work->n_events; i++)
            work->t[i] += shift;

          t0 = g_get_monotonic_time ();
          evs_filter_process (filter, work, keep);
          elapsed += g_get_monotonic_time () - t0;

          for (gsize i = 0; i < work->n_events; i++)
            kept += keep[i];
          done += work->n_events;
        }
    }
  *kept_out = kept;
  return done / (elapsed / 1e6);
}

static int
bench_filters (void)
{
  gint64 duration;
  g_autoptr(GPtrArray) pool = make_pool (&duration);
  guint64 n = n_target_events ();
  guint64 pool_events = 0;
  const struct { const char *type; const char *json; double target; } cases[] = {
    { "refractory", "{\"type\":\"refractory\",\"period_us\":1000}", 500 },
    { "background_activity", "{\"type\":\"background_activity\",\"window_us\":2000}", 250 },
    { "stcf", "{\"type\":\"stcf\",\"window_us\":5000,\"min_neighbors\":2}", 150 },
    { "stcf (polarity match)", "{\"type\":\"stcf\",\"window_us\":5000,\"min_neighbors\":2,"
      "\"polarity_match\":true}", 150 },
  };

  for (guint c = 0; c < pool->len; c++)
    pool_events += ((EvsEventChunk *) g_ptr_array_index (pool, c))->n_events;
  g_print ("filters: %" G_GUINT64_FORMAT " events per run (pool of %" G_GUINT64_FORMAT
           " synthetic 640x480 events replayed), median of %d runs, single thread\n",
           n, pool_events, RUNS);

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(EvsFilter) f = NULL;
      double rates[RUNS];
      guint64 kept = 0;

      json_parser_load_from_data (parser, cases[k].json, -1, NULL);
      f = evs_filter_new_from_json (json_parser_get_root (parser), 0, NULL, NULL);
      evs_filter_set_geometry (f, 640, 480);
      for (guint r = 0; r < RUNS; r++)
        rates[r] = run_filter (f, pool, duration, n, &kept);
      qsort (rates, RUNS, sizeof (double), cmp_double);
      g_print ("%-24s %8.1f M ev/s (min %.1f, max %.1f; target %.0f)  kept %.1f %%\n",
               cases[k].type, rates[RUNS / 2] / 1e6, rates[0] / 1e6, rates[RUNS - 1] / 1e6,
               cases[k].target, 100.0 * kept / n);
    }
  return 0;
}

static int
bench_export (void)
{
  g_autofree char *dir = g_dir_make_tmp ("evscope-bench-XXXXXX", NULL);
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) pipeline = NULL;
  g_autoptr(EvsExportJob) job = NULL;
  g_autofree char *summary = NULL;
  guint64 n = n_target_events ();
  struct rusage ru;
  EvsSynthParams params;
  gint64 t0;
  double secs;

  /* ≈ 3.1 M events/s of recording */
  evs_synth_params_init (&params);
  params.duration_us = (gint64) (n / 3.05e6 * 1e6);
  params.seed = 7;
  {
    g_autoptr(EvsSynth) synth = evs_synth_new (&params, &error);
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, in, &error);
    g_autoptr(EvsRecordingInfo) info = evs_synth_create_info (synth);
    g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (CHUNK * 4);

    if (!evs_writer_begin (writer, info, NULL, &error))
      g_error ("%s", error->message);
    while (evs_synth_fill (synth, chunk, NULL) > 0)
      {
        if (!evs_writer_write (writer, chunk, &error))
          g_error ("%s", error->message);
        evs_event_chunk_clear (chunk);
      }
    if (!evs_writer_finish (writer, &error))
      g_error ("%s", error->message);
  }

  pipeline = evs_pipeline_new_from_string (
    "{\"version\":1,\"filters\":["
    "{\"type\":\"hot_pixels\",\"max_rate_hz\":100},"
    "{\"type\":\"stcf\",\"window_us\":5000,\"min_neighbors\":2},"
    "{\"type\":\"roi\",\"rects\":[{\"x_min\":40,\"x_max\":599,\"y_min\":30,\"y_max\":449}]}"
    "]}", NULL, &error);
  g_assert_no_error (error);

  job = evs_export_job_new (in, out);
  evs_export_job_set_pipeline (job, pipeline);
  t0 = g_get_monotonic_time ();
  if (!evs_export_job_run (job, NULL, &error))
    g_error ("%s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  getrusage (RUSAGE_SELF, &ru);
  summary = evs_export_job_dup_summary (job);

  g_print ("export DAT -> DAT, hot_pixels (2 passes) + stcf + roi: %" G_GUINT64_FORMAT
           " events in %.2f s = %.1f M input events/s (%.1f M ev/s counting both passes); "
           "peak RSS %.1f MB\n%s",
           evs_export_job_get_n_events_in (job), secs,
           evs_export_job_get_n_events_in (job) / secs / 1e6,
           evs_export_job_get_events_per_second (job) / 1e6, ru.ru_maxrss / 1024.0, summary);

  /* baseline: the same copy without filters (decode + encode + I/O only) */
  {
    g_autoptr(EvsExportJob) plain = evs_export_job_new (in, out);

    t0 = g_get_monotonic_time ();
    if (!evs_export_job_run (plain, NULL, &error))
      g_error ("%s", error->message);
    secs = (g_get_monotonic_time () - t0) / 1e6;
    g_print ("baseline export DAT -> DAT without filters: %.2f s = %.1f M events/s\n", secs,
             evs_export_job_get_n_events_in (plain) / secs / 1e6);
  }

  g_unlink (in);
  g_unlink (out);
  g_rmdir (dir);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 2 && g_str_equal (argv[1], "filters"))
    return bench_filters ();
  if (argc == 2 && g_str_equal (argv[1], "export"))
    return bench_export ();
  g_printerr ("usage: bench-filters filters|export\n");
  return 2;
}
