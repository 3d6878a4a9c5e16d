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
#include <time.h>

#include "evs-export-job.h"
#include "evs-filters.h"
#include "evs-pipeline.h"
#include "evs-reader.h"
#include "evs-synth.h"
#include "evs-writer.h"

/*
 * bench-filters filters: refractory, background_activity and stcf on
 * ≥ 50 M realistic synthetic events (a 640×480 synthetic stream of about
 * 4 M events generated once into a pool of chunks, replayed with the time
 * shifted on each lap so the stream keeps going forward); only the
 * filters' process() calls are timed, on chunks of the export job's size
 * (16 Ki events, copied in untimed as a reader would have written them);
 * median of 5 runs.
 *
 * bench-filters export: writes a ≥ 50 M event synthetic EVT3 recording
 * (and one of a quarter the size), then exports each EVT3 → EVT3 through
 * hot_pixels (counted in a first pass) + stcf + roi in a fresh process,
 * reporting input events / total seconds, the time of each phase, the
 * decode-only and unfiltered-copy speeds, five re-exports with the pixel
 * counts cached (median), five with hot_pixels learning from the first
 * 500 ms instead (no first pass), and the peak RSS of that process.
 *
 * EVS_BENCH_EVENTS overrides the number of events (default 50 M).
 */

#define CHUNK 16384
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

/* CPU time of this process, µs: less disturbed than wall-clock time when
 * other processes share the cores */
static gint64
cpu_time (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct
{
  gint64 t0, cpu0;
  gint64 phase_start[EVS_EXPORT_PHASE_WRITING + 1];
  gint64 phase_cpu[EVS_EXPORT_PHASE_WRITING + 1];
} PhaseClock;

static void
phase_cb (EvsExportJob *job,
          double        fraction,
          double        eps,
          gpointer      user_data)
{
  PhaseClock *clock = user_data;
  EvsExportPhase phase = evs_export_job_get_phase (job);

  if (phase <= EVS_EXPORT_PHASE_WRITING && clock->phase_start[phase] == 0)
    {
      clock->phase_start[phase] = g_get_monotonic_time ();
      clock->phase_cpu[phase] = cpu_time ();
    }
}

/* RUNS exports of @in through @pipeline in this process: prints the
 * median, minimum and maximum input rates (and the median over CPU time) */
static void
export_runs (const char  *label,
             const char  *in,
             const char  *out,
             EvsPipeline *pipeline,
             guint64      n_in)
{
  g_autoptr(GError) error = NULL;
  double rates[RUNS], cpu_rates[RUNS];

  for (guint r = 0; r < RUNS; r++)
    {
      g_autoptr(EvsExportJob) job = evs_export_job_new (in, out);
      gint64 t0 = g_get_monotonic_time ();
      gint64 c0 = cpu_time ();

      evs_export_job_set_pipeline (job, pipeline);
      if (!evs_export_job_run (job, NULL, &error))
        g_error ("%s", error->message);
      rates[r] = n_in / ((g_get_monotonic_time () - t0) / 1e6) / 1e6;
      cpu_rates[r] = n_in / ((cpu_time () - c0) / 1e6) / 1e6;
      g_unlink (out);
    }
  qsort (rates, RUNS, sizeof (double), cmp_double);
  qsort (cpu_rates, RUNS, sizeof (double), cmp_double);
  g_print ("  %s, %d runs: median %.1f M ev/s (min %.1f, max %.1f; CPU time median %.1f M ev/s)\n",
           label, RUNS, rates[RUNS / 2], rates[0], rates[RUNS - 1], cpu_rates[RUNS / 2]);
}

/* One export in a fresh process (so that its peak RSS is its own): prints
 * one result block. */
static int
bench_export_run (const char *in,
                  const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) pipeline = NULL;
  g_autoptr(EvsExportJob) job = NULL;
  g_autofree char *summary = NULL;
  PhaseClock clock = { 0 };
  struct rusage ru;
  GStatBuf st;
  gint64 t_end, cpu_end;
  guint64 n_in;
  double secs, count_secs = 0, write_secs, index_secs = 0;
  double cpu_secs, count_cpu = 0, write_cpu;

  pipeline = evs_pipeline_new_from_string (
    "{\"version\":1,\"filters\":["
    "{\"type\":\"hot_pixels\",\"max_rate_hz\":100},"
    "{\"type\":\"stcf\",\"window_us\":5000,\"min_neighbors\":2},"
    "{\"type\":\"roi\",\"rects\":[{\"x_min\":40,\"x_max\":599,\"y_min\":30,\"y_max\":449}]}"
    "]}", NULL, &error);
  g_assert_no_error (error);

  job = evs_export_job_new (in, out);
  evs_export_job_set_pipeline (job, pipeline);
  evs_export_job_set_progress_interval (job, 0);
  evs_export_job_set_progress_func (job, phase_cb, &clock, NULL);
  clock.t0 = g_get_monotonic_time ();
  clock.cpu0 = cpu_time ();
  if (!evs_export_job_run (job, NULL, &error))
    g_error ("%s", error->message);
  t_end = g_get_monotonic_time ();
  cpu_end = cpu_time ();
  getrusage (RUSAGE_SELF, &ru);
  secs = (t_end - clock.t0) / 1e6;
  n_in = evs_export_job_get_n_events_in (job);
  summary = evs_export_job_dup_summary (job);
  if (clock.phase_start[EVS_EXPORT_PHASE_INDEXING] != 0)
    index_secs = ((clock.phase_start[EVS_EXPORT_PHASE_COUNTING] != 0
                   ? clock.phase_start[EVS_EXPORT_PHASE_COUNTING]
                   : clock.phase_start[EVS_EXPORT_PHASE_WRITING])
                  - clock.phase_start[EVS_EXPORT_PHASE_INDEXING]) / 1e6;
  if (clock.phase_start[EVS_EXPORT_PHASE_COUNTING] != 0)
    count_secs = (clock.phase_start[EVS_EXPORT_PHASE_WRITING]
                  - clock.phase_start[EVS_EXPORT_PHASE_COUNTING]) / 1e6;
  write_secs = (t_end - clock.phase_start[EVS_EXPORT_PHASE_WRITING]) / 1e6;
  cpu_secs = (cpu_end - clock.cpu0) / 1e6;
  if (clock.phase_cpu[EVS_EXPORT_PHASE_COUNTING] != 0)
    count_cpu = (clock.phase_cpu[EVS_EXPORT_PHASE_WRITING]
                 - clock.phase_cpu[EVS_EXPORT_PHASE_COUNTING]) / 1e6;
  write_cpu = (cpu_end - clock.phase_cpu[EVS_EXPORT_PHASE_WRITING]) / 1e6;
  if (g_stat (in, &st) != 0)
    st.st_size = 0;

  g_print ("export EVT3 -> EVT3, hot_pixels + stcf + roi: %" G_GUINT64_FORMAT " events "
           "(%.0f MB in) in %.2f s = %.1f M input events/s overall; peak RSS %.1f MB\n"
           "  phases: indexing %.2f s, hot-pixel counting %.2f s (%.1f M ev/s), "
           "filter+write %.2f s (%.1f M ev/s)\n"
           "  CPU time: %.2f s = %.1f M input events per CPU second; counting %.2f s "
           "(%.1f M ev/s), filter+write %.2f s (%.1f M ev/s)\n%s",
           n_in, st.st_size / 1e6, secs, n_in / secs / 1e6, ru.ru_maxrss / 1024.0,
           index_secs, count_secs, count_secs > 0 ? n_in / count_secs / 1e6 : 0.0,
           write_secs, n_in / write_secs / 1e6,
           cpu_secs, n_in / cpu_secs / 1e6, count_cpu,
           count_cpu > 0 ? n_in / count_cpu / 1e6 : 0.0, write_cpu, n_in / write_cpu / 1e6,
           summary);
  g_unlink (out);

  /* again, five times: the pixel counts are cached now, one pass */
  export_runs ("re-export with the pixel counts cached (one pass)", in, out, pipeline, n_in);

  /* hot_pixels learning from the first 500 ms instead (jAER's way): one
   * pass on any file, nothing cached needed */
  {
    g_autoptr(EvsPipeline) learn = NULL;

    learn = evs_pipeline_new_from_string (
      "{\"version\":1,\"filters\":["
      "{\"type\":\"hot_pixels\",\"max_rate_hz\":100,\"learn_ms\":500},"
      "{\"type\":\"stcf\",\"window_us\":5000,\"min_neighbors\":2},"
      "{\"type\":\"roi\",\"rects\":[{\"x_min\":40,\"x_max\":599,\"y_min\":30,\"y_max\":449}]}"
      "]}", NULL, &error);
    g_assert_no_error (error);
    export_runs ("hot_pixels learning from the first 500 ms instead (one pass, nothing cached)",
                 in, out, learn, n_in);
  }

  /* where the time goes: decode alone, and a copy without filters */
  {
    g_autoptr(EvsReader) reader = evs_reader_open (in, &error);
    g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (256 * 1024);
    g_autoptr(EvsExportJob) plain = evs_export_job_new (in, out);
    guint64 n = 0;
    gint64 t0 = g_get_monotonic_time ();
    gint64 c0 = cpu_time ();

    g_assert_no_error (error);
    for (;;)
      {
        evs_event_chunk_clear (chunk);
        if (!evs_reader_read (reader, chunk, &error))
          g_error ("%s", error->message);
        if (chunk->n_events == 0)
          break;
        n += chunk->n_events;
      }
    secs = (g_get_monotonic_time () - t0) / 1e6;
    cpu_secs = (cpu_time () - c0) / 1e6;
    g_print ("  decode only (EVT3 reader): %.2f s = %.1f M ev/s (CPU %.2f s = %.1f M ev/s)\n",
             secs, n / secs / 1e6, cpu_secs, n / cpu_secs / 1e6);

    t0 = g_get_monotonic_time ();
    c0 = cpu_time ();
    if (!evs_export_job_run (plain, NULL, &error))
      g_error ("%s", error->message);
    secs = (g_get_monotonic_time () - t0) / 1e6;
    cpu_secs = (cpu_time () - c0) / 1e6;
    g_print ("  copy without filters (decode + encode + I/O): %.2f s = %.1f M ev/s "
             "(CPU %.2f s = %.1f M ev/s)\n", secs,
             evs_export_job_get_n_events_in (plain) / secs / 1e6, cpu_secs,
             evs_export_job_get_n_events_in (plain) / cpu_secs / 1e6);
    g_unlink (out);
  }
  return 0;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
write_synth_evt3 (const char *path,
                  guint64     n)
{
  g_autoptr(GError) error = NULL;
  EvsSynthParams params;

  /* ≈ 3.1 M events/s of recording */
  evs_synth_params_init (&params);
  params.duration_us = (gint64) (n / 3.05e6 * 1e6);
  params.seed = 7;
  {
    g_autoptr(EvsSynth) synth = evs_synth_new (&params, &error);
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_EVT3, path, &error);
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
}

/* Writes a ≥ 50 M event synthetic EVT3 recording (and one a quarter of the
 * size), then exports each in a child process. */
static int
bench_export (void)
{
  g_autofree char *dir = g_dir_make_tmp ("evscope-bench-XXXXXX", NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  guint64 n = n_target_events ();
  const guint64 sizes[] = { n / 4, n };
  int status = 0;

  /* the children cache indexes and pixel counts here, not in the user's
   * cache */
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autofree char *in = g_build_filename (dir, "in.raw", NULL);
      g_autofree char *out = g_build_filename (dir, "out.raw", NULL);
      g_autoptr(GError) error = NULL;
      const char *argv[] = { self_exe, "export-run", in, out, NULL };
      int wait_status = 0;

      write_synth_evt3 (in, sizes[k]);
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                         NULL, NULL, &wait_status, &error))
        g_error ("%s", error->message);
      if (!g_spawn_check_wait_status (wait_status, NULL))
        status = 1;
      g_unlink (in);
      g_unlink (out);
    }
  remove_tree (cache);
  g_rmdir (dir);
  return status;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 2 && g_str_equal (argv[1], "filters"))
    return bench_filters ();
  if (argc == 2 && g_str_equal (argv[1], "export"))
    return bench_export ();
  if (argc == 4 && g_str_equal (argv[1], "export-run"))
    return bench_export_run (argv[2], argv[3]);
  g_printerr ("usage: bench-filters filters|export\n");
  return 2;
}
