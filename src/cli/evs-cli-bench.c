/* evs-cli-bench.c
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

#define G_LOG_DOMAIN "evscope-cli"

#include "config.h"

#include "evs-cli.h"
#include "evs-cli-common.h"

#include <stdlib.h>

/* `evscope-cli bench FILE [--repeat N] [--chunk-events N] [--pipeline P.json]
 * [--json]`
 *
 * Decodes the whole recording through the reader N times, with no index
 * and no cache shortcut: each run opens the file, reads every chunk (with
 * the usual validation) and passes it to the process step.  Reports each
 * run and the median.  With a pipeline, the process step runs it on each
 * decoded chunk, exactly as an export does (a fresh copy per run, hot
 * pixels counted once beforehand), and the time spent decoding and
 * filtering is measured separately: decode-only and decode+pipeline
 * throughput, and the events in and out of each stage. */

#define MAX_REPEAT       1000
#define MAX_CHUNK_EVENTS (16 * 1024 * 1024)

typedef struct
{
  guint64      events;
  guint64      events_out;
  double       seconds;           /* the whole run, pipeline included */
  double       pipeline_seconds;  /* in the pipeline */
  EvsPipeline *pipeline;          /* this run's copy, with its statistics */
} BenchRun;

/* The process step: the filter pipeline, when there is one, timed on its
 * own; it counts what it keeps.  Plain decoding keeps everything. */
static gboolean
bench_process_chunk (BenchRun       *run,
                     EvsEventChunk  *chunk,
                     GError        **error)
{
  if (run->pipeline != NULL)
    {
      gint64 t0 = g_get_monotonic_time ();

      evs_pipeline_process (run->pipeline, chunk);
      run->pipeline_seconds += (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
    }
  run->events_out += chunk->n_events;
  return TRUE;
}

static gboolean
bench_run (const char      *path,
           gsize            chunk_events,
           EvsPipeline     *pipeline,
           EvsCliProgress  *progress,
           BenchRun        *run,
           GError         **error)
{
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  gint64 started;

  chunk = evs_event_chunk_new (chunk_events);

  started = g_get_monotonic_time ();

  reader = evs_reader_open (path, error);
  if (reader == NULL)
    return FALSE;

  if (pipeline != NULL)
    {
      run->pipeline = evs_pipeline_copy (pipeline);
      evs_pipeline_set_geometry (run->pipeline, evs_reader_get_width (reader),
                                 evs_reader_get_height (reader));
      evs_pipeline_reset (run->pipeline);
    }

  for (;;)
    {
      if (evs_cli_interrupted ())
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
          return FALSE;
        }

      if (!evs_reader_read (reader, chunk, error))
        return FALSE;
      if (chunk->n_events == 0)
        break;
      run->events += chunk->n_events;

      if (!bench_process_chunk (run, chunk, error))
        return FALSE;

      evs_cli_progress_update (progress, evs_reader_get_fraction (reader), run->events);
    }

  run->seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;

  return TRUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

enum
{
  TIME_TOTAL,      /* decode + pipeline (the whole run) */
  TIME_DECODE,     /* decode only */
  TIME_PIPELINE,   /* pipeline only */
};

static double
run_seconds (const BenchRun *run,
             int             which)
{
  switch (which)
    {
    case TIME_DECODE:
      return MAX (run->seconds - run->pipeline_seconds, 0.0);
    case TIME_PIPELINE:
      return run->pipeline_seconds;
    case TIME_TOTAL:
    default:
      return run->seconds;
    }
}

static double
median_seconds (const BenchRun *runs,
                guint           n,
                int             which)
{
  g_autofree double *sorted = g_new (double, n);

  for (guint i = 0; i < n; i++)
    sorted[i] = run_seconds (&runs[i], which);
  qsort (sorted, n, sizeof *sorted, compare_double);

  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

static double
per_second (double amount,
            double seconds)
{
  return seconds > 0 ? amount / seconds : 0.0;
}

typedef struct
{
  const char             *path;
  const EvsRecordingInfo *info;
  gsize                   chunk_events;
  const BenchRun         *runs;
  guint                   n_runs;
  const char             *pipeline_path;     /* NULL without --pipeline */
  double                  first_pass_seconds;
} BenchReport;

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
print_json (const BenchReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double mb = (double) r->info->file_size / 1e6;
  double mev = r->runs[0].events / 1e6;
  double median = median_seconds (r->runs, r->n_runs, TIME_TOTAL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, r->path);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, evs_format_to_string (r->info->format));
  add_int (b, "file_size", (gint64) r->info->file_size);
  add_int (b, "chunk_events", (gint64) r->chunk_events);
  add_int (b, "repeat", r->n_runs);
  add_int (b, "events", (gint64) r->runs[0].events);

  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->n_runs; i++)
    {
      const BenchRun *run = &r->runs[i];

      json_builder_begin_object (b);
      add_int (b, "events", (gint64) run->events);
      add_double (b, "seconds", run->seconds);
      add_double (b, "mev_per_s", per_second (run->events / 1e6, run->seconds));
      add_double (b, "mb_per_s", per_second (mb, run->seconds));
      if (r->pipeline_path != NULL)
        {
          add_double (b, "decode_seconds", run_seconds (run, TIME_DECODE));
          add_double (b, "pipeline_seconds", run->pipeline_seconds);
          add_int (b, "events_out", (gint64) run->events_out);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  add_double (b, "median_seconds", median);
  add_double (b, "median_mev_per_s", per_second (mev, median));
  add_double (b, "median_mb_per_s", per_second (mb, median));

  if (r->pipeline_path != NULL)
    {
      EvsPipeline *pipeline = r->runs[0].pipeline;
      double decode = median_seconds (r->runs, r->n_runs, TIME_DECODE);
      double filter = median_seconds (r->runs, r->n_runs, TIME_PIPELINE);

      json_builder_set_member_name (b, "pipeline");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, r->pipeline_path);
      add_double (b, "first_pass_seconds", r->first_pass_seconds);
      add_int (b, "events_out", (gint64) r->runs[0].events_out);
      add_double (b, "median_decode_seconds", decode);
      add_double (b, "median_decode_mev_per_s", per_second (mev, decode));
      add_double (b, "median_pipeline_seconds", filter);
      add_double (b, "median_pipeline_mev_per_s", per_second (mev, filter));
      add_double (b, "median_decode_pipeline_mev_per_s", per_second (mev, median));
      json_builder_set_member_name (b, "stages");
      json_builder_begin_array (b);
      for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
        {
          EvsFilter *f = evs_pipeline_get_filter (pipeline, i);
          EvsStageStats st;

          evs_pipeline_get_stage_stats (pipeline, i, &st);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, evs_filter_get_type_name (f));
          json_builder_set_member_name (b, "enabled");
          json_builder_add_boolean_value (b, evs_filter_get_enabled (f));
          add_int (b, "in", (gint64) st.in);
          add_int (b, "in_on", (gint64) st.in_on);
          add_int (b, "out", (gint64) st.out);
          add_int (b, "out_on", (gint64) st.out_on);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  evs_cli_print_json (b);
}

static void
print_human (const BenchReport *r)
{
  g_autofree char *size = evs_cli_format_size (r->info->file_size);
  g_autofree char *chunk = evs_cli_format_count (r->chunk_events);
  g_autofree char *events = evs_cli_format_count (r->runs[0].events);
  double mb = (double) r->info->file_size / 1e6;
  double mev = r->runs[0].events / 1e6;
  double median = median_seconds (r->runs, r->n_runs, TIME_TOTAL);

  g_print ("File:    %s (%s, %s)\n", r->path, evs_format_to_string (r->info->format), size);
  g_print ("Decoded: %s events per run, %s-event chunks, no index\n", events, chunk);
  if (r->pipeline_path != NULL)
    {
      EvsPipeline *pipeline = r->runs[0].pipeline;
      g_autofree char *kept = evs_cli_format_count (r->runs[0].events_out);

      g_print ("Pipeline: %s, %u filters", r->pipeline_path,
               evs_pipeline_get_n_filters (pipeline));
      if (r->first_pass_seconds > 0)
        g_print (" (hot pixels counted in a first pass of %.3f s, not timed below)",
                 r->first_pass_seconds);
      g_print ("; keeps %s events (%.2f %%)\n", kept,
               r->runs[0].events > 0 ? 100.0 * r->runs[0].events_out / r->runs[0].events
                                     : 100.0);
      g_print ("Each run decodes and filters; the times below include both.\n");
    }
  for (guint i = 0; i < r->n_runs; i++)
    g_print ("Run %-4u %.6f s  %8.2f M ev/s  %8.1f MB/s\n", i + 1, r->runs[i].seconds,
             per_second (r->runs[i].events / 1e6, r->runs[i].seconds),
             per_second (mb, r->runs[i].seconds));
  g_print ("Median   %.6f s  %8.2f M ev/s  %8.1f MB/s\n", median, per_second (mev, median),
           per_second (mb, median));

  if (r->pipeline_path != NULL)
    {
      g_autofree char *table = evs_pipeline_dup_stats_table (r->runs[0].pipeline);
      double decode = median_seconds (r->runs, r->n_runs, TIME_DECODE);
      double filter = median_seconds (r->runs, r->n_runs, TIME_PIPELINE);

      g_print ("\nMedians:\n");
      g_print ("  decode only       %.6f s  %8.2f M ev/s\n", decode, per_second (mev, decode));
      g_print ("  pipeline only     %.6f s  %8.2f M ev/s (of input events)\n", filter,
               per_second (mev, filter));
      g_print ("  decode+pipeline   %.6f s  %8.2f M ev/s\n", median, per_second (mev, median));
      g_print ("\nStages (run 1):\n%s", table);
    }
}

/* Counts hot pixels over the whole file for the hot_pixels filters that
 * need it, as the export's first pass does. */
static gboolean
learn_hot_pixels (EvsPipeline     *pipeline,
                  EvsReader       *reader,
                  EvsCliProgress  *progress,
                  GError         **error)
{
  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    {
      EvsFilter *f = evs_pipeline_get_filter (pipeline, i);

      if (EVS_IS_HOT_PIXELS_FILTER (f) && evs_filter_get_enabled (f)
          && evs_hot_pixels_filter_needs_learning (EVS_HOT_PIXELS_FILTER (f))
          && !evs_hot_pixels_filter_learn (EVS_HOT_PIXELS_FILTER (f), reader,
                                           evs_cli_progress_get_cancellable (progress), error))
        return FALSE;
    }

  return TRUE;
}

int
evs_cli_bench (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsCliProgress) progress = NULL;
  g_autoptr(EvsPipeline) pipeline = NULL;
  g_autofree BenchRun *runs = NULL;
  g_autofree char *pipeline_path = NULL;
  BenchReport report = { 0 };
  const char *path;
  gint repeat = 3;
  gint64 chunk_events = EVS_CHUNK_DEFAULT_CAPACITY;
  gboolean json = FALSE;
  int status = EVS_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "repeat", 'n', 0, G_OPTION_ARG_INT, &repeat, "Decode the file N times (default 3)", "N" },
    { "chunk-events", 'c', 0, G_OPTION_ARG_INT64, &chunk_events,
      "Events per chunk (default 65536)", "N" },
    { "pipeline", 'p', 0, G_OPTION_ARG_FILENAME, &pipeline_path,
      "Also run a filter pipeline on the decoded chunks", "FILE.json" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON instead of text", NULL },
    { NULL }
  };

  context = g_option_context_new ("FILE");
  g_option_context_set_summary (context,
    "Measures decoding throughput: decodes the whole recording through its reader\n"
    "N times (no time index, no cache shortcut) and prints events, seconds,\n"
    "M events/s and MB/s of file for each run and the median.  Each run includes\n"
    "opening the file; the system's page cache is not dropped.\n"
    "\n"
    "With --pipeline, each run also filters every decoded chunk as an export does\n"
    "and the decode-only, pipeline-only and decode+pipeline throughputs are\n"
    "printed, with the events in and out of each stage.  Hot pixels are counted\n"
    "once beforehand (the export's first pass), outside the timed runs.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  evscope-cli bench recording.raw\n"
    "  evscope-cli bench --repeat 5 --chunk-events 262144 --json recording.raw\n"
    "  evscope-cli bench --pipeline denoise.json recording.raw\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!evs_cli_parse_options (context, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return evs_cli_usage_error ("a FILE is required");
  if (argc > 2)
    return evs_cli_usage_error ("unexpected argument “%s” (one FILE at a time)", argv[2]);
  if (repeat < 1 || repeat > MAX_REPEAT)
    return evs_cli_usage_error ("--repeat must be between 1 and %d (got %d)", MAX_REPEAT, repeat);
  if (chunk_events < EVS_CHUNK_MIN_CAPACITY || chunk_events > MAX_CHUNK_EVENTS)
    return evs_cli_usage_error ("--chunk-events must be between %d and %d (got %" G_GINT64_FORMAT ")",
                                EVS_CHUNK_MIN_CAPACITY, MAX_CHUNK_EVENTS, chunk_events);

  path = argv[1];

  if (pipeline_path != NULL)
    {
      /* The core's message names the file, the filter and the key. */
      pipeline = evs_pipeline_new_from_file (pipeline_path, &error);
      if (pipeline == NULL)
        return evs_cli_usage_error ("%s", error->message);
    }

  evs_cli_catch_interrupts ();

  /* Opened once for the metadata (and to fail early); each run reopens. */
  reader = evs_reader_open (path, &error);
  if (reader == NULL)
    return evs_cli_fail (error);

  runs = g_new0 (BenchRun, repeat);
  progress = evs_cli_progress_new ("Decoding");

  if (pipeline != NULL && evs_pipeline_needs_first_pass (pipeline))
    {
      gint64 t0 = g_get_monotonic_time ();

      evs_cli_progress_set_label (progress, "Counting hot pixels");
      if (!learn_hot_pixels (pipeline, reader, progress, &error))
        {
          evs_cli_progress_clear (progress);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              evs_cli_printerr ("interrupted");
              return EVS_CLI_EXIT_INTERRUPTED;
            }
          return evs_cli_fail (error);
        }
      report.first_pass_seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
    }

  for (gint i = 0; i < repeat; i++)
    {
      g_autofree char *label = g_strdup_printf ("Run %d/%d", i + 1, repeat);

      evs_cli_progress_set_label (progress, label);
      if (!bench_run (path, (gsize) chunk_events, pipeline, progress, &runs[i], &error))
        {
          evs_cli_progress_clear (progress);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              evs_cli_printerr ("interrupted");
              status = EVS_CLI_EXIT_INTERRUPTED;
            }
          else
            status = evs_cli_fail (error);
          goto out;
        }
      evs_cli_progress_clear (progress);

      /* Decoding (and filtering) is deterministic: a different count is a bug. */
      if (runs[i].events != runs[0].events || runs[i].events_out != runs[0].events_out)
        {
          evs_cli_printerr ("run %d decoded %" G_GUINT64_FORMAT " events and kept %"
                            G_GUINT64_FORMAT " but run 1 decoded %" G_GUINT64_FORMAT
                            " and kept %" G_GUINT64_FORMAT, i + 1, runs[i].events,
                            runs[i].events_out, runs[0].events, runs[0].events_out);
          status = EVS_CLI_EXIT_FAILURE;
          goto out;
        }
    }

  report.path = path;
  report.info = evs_reader_get_info (reader);
  report.chunk_events = (gsize) chunk_events;
  report.runs = runs;
  report.n_runs = repeat;
  report.pipeline_path = pipeline != NULL ? pipeline_path : NULL;
  if (json)
    print_json (&report);
  else
    print_human (&report);

out:
  for (gint i = 0; i < repeat; i++)
    g_clear_object (&runs[i].pipeline);

  return status;
}
