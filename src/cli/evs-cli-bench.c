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

/* `evscope-cli bench FILE [--repeat N] [--chunk-events N] [--json]`
 *
 * Decodes the whole recording through the reader N times, with no index
 * and no cache shortcut: each run opens the file, reads every chunk (with
 * the usual validation) and passes it to the process step.  Reports each
 * run and the median. */

#define MAX_REPEAT       1000
#define MAX_CHUNK_EVENTS (16 * 1024 * 1024)

typedef struct
{
  guint64 events;
  guint64 events_out;
  double  seconds;
} BenchRun;

/* The process step: a filter pipeline (a later --pipeline) goes here and
 * counts what it keeps.  Plain decoding keeps everything. */
static gboolean
bench_process_chunk (BenchRun       *run,
                     EvsEventChunk  *chunk,
                     GError        **error)
{
  run->events_out += chunk->n_events;
  return TRUE;
}

static gboolean
bench_run (const char      *path,
           gsize            chunk_events,
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

static double
median_seconds (const BenchRun *runs,
                guint           n)
{
  g_autofree double *sorted = g_new (double, n);

  for (guint i = 0; i < n; i++)
    sorted[i] = runs[i].seconds;
  qsort (sorted, n, sizeof *sorted, compare_double);

  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

static double
per_second (double amount,
            double seconds)
{
  return seconds > 0 ? amount / seconds : 0.0;
}

static void
print_json (const char             *path,
            const EvsRecordingInfo *info,
            gsize                   chunk_events,
            const BenchRun         *runs,
            guint                   n_runs,
            double                  median)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  double mb = (double) info->file_size / 1e6;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, evs_format_to_string (info->format));
  json_builder_set_member_name (b, "file_size");
  json_builder_add_int_value (b, (gint64) info->file_size);
  json_builder_set_member_name (b, "chunk_events");
  json_builder_add_int_value (b, (gint64) chunk_events);
  json_builder_set_member_name (b, "repeat");
  json_builder_add_int_value (b, n_runs);
  json_builder_set_member_name (b, "events");
  json_builder_add_int_value (b, (gint64) runs[0].events);

  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_runs; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "events");
      json_builder_add_int_value (b, (gint64) runs[i].events);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, runs[i].seconds);
      json_builder_set_member_name (b, "mev_per_s");
      json_builder_add_double_value (b, per_second (runs[i].events / 1e6, runs[i].seconds));
      json_builder_set_member_name (b, "mb_per_s");
      json_builder_add_double_value (b, per_second (mb, runs[i].seconds));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "median_seconds");
  json_builder_add_double_value (b, median);
  json_builder_set_member_name (b, "median_mev_per_s");
  json_builder_add_double_value (b, per_second (runs[0].events / 1e6, median));
  json_builder_set_member_name (b, "median_mb_per_s");
  json_builder_add_double_value (b, per_second (mb, median));
  json_builder_end_object (b);

  evs_cli_print_json (b);
}

static void
print_human (const char             *path,
             const EvsRecordingInfo *info,
             gsize                   chunk_events,
             const BenchRun         *runs,
             guint                   n_runs,
             double                  median)
{
  g_autofree char *size = evs_cli_format_size (info->file_size);
  g_autofree char *chunk = evs_cli_format_count (chunk_events);
  g_autofree char *events = evs_cli_format_count (runs[0].events);
  double mb = (double) info->file_size / 1e6;

  g_print ("File:    %s (%s, %s)\n", path, evs_format_to_string (info->format), size);
  g_print ("Decoded: %s events per run, %s-event chunks, no index\n", events, chunk);
  for (guint i = 0; i < n_runs; i++)
    g_print ("Run %-4u %.6f s  %8.2f M ev/s  %8.1f MB/s\n", i + 1, runs[i].seconds,
             per_second (runs[i].events / 1e6, runs[i].seconds), per_second (mb, runs[i].seconds));
  g_print ("Median   %.6f s  %8.2f M ev/s  %8.1f MB/s\n", median,
           per_second (runs[0].events / 1e6, median), per_second (mb, median));
}

int
evs_cli_bench (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsCliProgress) progress = NULL;
  g_autofree BenchRun *runs = NULL;
  const char *path;
  gint repeat = 3;
  gint64 chunk_events = EVS_CHUNK_DEFAULT_CAPACITY;
  gboolean json = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "repeat", 'n', 0, G_OPTION_ARG_INT, &repeat, "Decode the file N times (default 3)", "N" },
    { "chunk-events", 'c', 0, G_OPTION_ARG_INT64, &chunk_events,
      "Events per chunk (default 65536)", "N" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON instead of text", NULL },
    { NULL }
  };

  context = g_option_context_new ("FILE");
  g_option_context_set_summary (context,
    "Measures decoding throughput: decodes the whole recording through its reader\n"
    "N times (no time index, no cache shortcut) and prints events, seconds,\n"
    "M events/s and MB/s of file for each run and the median.  Each run includes\n"
    "opening the file; the system's page cache is not dropped.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  evscope-cli bench recording.raw\n"
    "  evscope-cli bench --repeat 5 --chunk-events 262144 --json recording.raw\n");
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

  evs_cli_catch_interrupts ();

  /* Opened once for the metadata (and to fail early); each run reopens. */
  reader = evs_reader_open (path, &error);
  if (reader == NULL)
    return evs_cli_fail (error);

  runs = g_new0 (BenchRun, repeat);
  progress = evs_cli_progress_new ("Decoding");

  for (gint i = 0; i < repeat; i++)
    {
      g_autofree char *label = g_strdup_printf ("Run %d/%d", i + 1, repeat);

      evs_cli_progress_set_label (progress, label);
      if (!bench_run (path, (gsize) chunk_events, progress, &runs[i], &error))
        {
          evs_cli_progress_clear (progress);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              evs_cli_printerr ("interrupted");
              return EVS_CLI_EXIT_INTERRUPTED;
            }
          return evs_cli_fail (error);
        }
      evs_cli_progress_clear (progress);

      /* Decoding is deterministic: a different count is a reader bug. */
      if (runs[i].events != runs[0].events)
        {
          evs_cli_printerr ("run %d decoded %" G_GUINT64_FORMAT " events but run 1 decoded %"
                            G_GUINT64_FORMAT, i + 1, runs[i].events, runs[0].events);
          return EVS_CLI_EXIT_FAILURE;
        }
    }

  if (json)
    print_json (path, evs_reader_get_info (reader), (gsize) chunk_events, runs, repeat,
                median_seconds (runs, repeat));
  else
    print_human (path, evs_reader_get_info (reader), (gsize) chunk_events, runs, repeat,
                 median_seconds (runs, repeat));

  return EVS_CLI_EXIT_OK;
}
