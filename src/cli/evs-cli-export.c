/* evs-cli-export.c
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

#include "evs-export-job.h"
#include "evs-pipeline.h"

/* `evscope-cli export IN OUT [--format F] [--pipeline P.json] [--start-us T]
 * [--end-us T]`
 *
 * A front end of EvsExportJob, the one export engine (the GUI runs it too):
 * reader → time range → filter pipeline → writer, streaming chunk by chunk.
 * The job writes a temporary file beside OUT and renames it only when
 * everything succeeded, so an error or Ctrl-C leaves nothing behind and an
 * existing OUT untouched.  This file parses the command line, shows the
 * progress, turns SIGINT/SIGTERM into a cancel, and prints the summary. */

#define WRITABLE_FORMATS "evt2, evt21, evt3, dat, csv, dsec-hdf5, prophesee-hdf5"

static const char *
phase_label (EvsExportPhase phase)
{
  switch (phase)
    {
    case EVS_EXPORT_PHASE_INDEXING:
      return "Indexing";
    case EVS_EXPORT_PHASE_COUNTING:
      return "Counting";
    case EVS_EXPORT_PHASE_NONE:
    case EVS_EXPORT_PHASE_WRITING:
    default:
      return "Exporting";
    }
}

/* Also where an interrupt becomes a cancel: evs_cli_progress_update_rate()
 * cancels the progress's cancellable, which the job checks every chunk. */
static void
export_progress_cb (EvsExportJob *job,
                    double        fraction,
                    double        events_per_second,
                    gpointer      user_data)
{
  evs_cli_progress_update_rate (user_data, phase_label (evs_export_job_get_phase (job)),
                                fraction, events_per_second);
}

static void
print_summary (EvsExportJob *job,
               const char   *out_path,
               EvsFormat     format,
               gboolean      ranged)
{
  guint64 in = evs_export_job_get_n_events_in (job);
  guint64 out = evs_export_job_get_n_events_out (job);
  double seconds = evs_export_job_get_seconds (job);
  g_autofree char *n_in = evs_cli_format_count (in);
  g_autofree char *n_out = evs_cli_format_count (out);
  /* Input events per second of the whole job (all its passes): what a user
   * compares between runs */
  g_autofree char *rate = evs_cli_format_rate (seconds > 0 ? in / seconds : 0.0);

  if (evs_export_job_get_pipeline (job) != NULL)
    {
      g_autofree char *table = evs_pipeline_dup_stats_table (evs_export_job_get_pipeline (job));

      g_print ("%s", table);
    }

  g_print ("Wrote %s events to %s (%s) from %s events %s, in %.3f s (%s)\n", n_out, out_path,
           evs_format_to_string (format), n_in, ranged ? "in the time range" : "read",
           seconds, rate);
  if (out == 0)
    g_print ("The output holds no events%s.\n",
             in == 0 && ranged ? ": none falls in the time range"
             : in > 0 ? ": the pipeline removed them all" : "");
}

int
evs_cli_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsExportJob) job = NULL;
  g_autoptr(EvsPipeline) pipeline = NULL;
  g_autoptr(EvsCliProgress) progress = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *pipeline_path = NULL;
  g_autofree char *command_line = evs_cli_command_line (argc, argv);
  g_autofree char *command_comment = NULL;
  const char *in_path, *out_path;
  EvsFormat format;
  gint64 start_us = G_MININT64;
  gint64 end_us = G_MAXINT64;
  gboolean ranged, ok;
  int status;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "Output format (default: from OUT's extension)", "FORMAT" },
    { "pipeline", 'p', 0, G_OPTION_ARG_FILENAME, &pipeline_path,
      "Filter the events with a pipeline (JSON, as the GUI saves presets)", "FILE.json" },
    { "start-us", 0, 0, G_OPTION_ARG_INT64, &start_us,
      "Keep events at or after T µs (the input's own time base)", "T" },
    { "end-us", 0, 0, G_OPTION_ARG_INT64, &end_us,
      "Keep events before T µs (the input's own time base)", "T" },
    { NULL }
  };

  context = g_option_context_new ("IN OUT");
  g_option_context_set_summary (context,
    "Converts a recording, optionally cut to a time range and cleaned by a filter\n"
    "pipeline, streaming it chunk by chunk.  OUT is written atomically: on any\n"
    "error or Ctrl-C nothing is left behind and an existing OUT is untouched.\n"
    "Timestamps keep the input's absolute time base.  OUT records its provenance\n"
    "(Evscope version, source, time range, pipeline, command line).");
  g_option_context_set_description (context,
    "Formats: " WRITABLE_FORMATS ".  Without\n"
    "--format, OUT's extension decides:\n"
    "  .raw → evt3   .dat → dat   .h5, .hdf5 → dsec-hdf5   .csv, .txt → csv (t,x,y,p)\n"
    "The time range is start ≤ t < end, applied before the pipeline; the first\n"
    "run indexes the input (cached).  A pipeline with hot_pixels reads the input\n"
    "twice (per-pixel counts first).  With --pipeline, a table of the events in\n"
    "and out of each filter (ON/OFF) ends the output.\n"
    "\n"
    "Pipeline file (see README, “Pipeline format”):\n"
    "  {\"version\": 1, \"filters\": [{\"type\": \"hot_pixels\", \"max_rate_hz\": 100},\n"
    "    {\"type\": \"stcf\", \"window_us\": 5000, \"min_neighbors\": 2}]}\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 wrong command line or pipeline, 130 interrupted.\n"
    "\n"
    "Examples:\n"
    "  evscope-cli export in.raw out.h5\n"
    "  evscope-cli export in.raw out.raw --format evt2\n"
    "  evscope-cli export in.dat cut.csv --start-us 1000000 --end-us 2000000\n"
    "  evscope-cli export in.raw clean.raw --pipeline denoise.json\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!evs_cli_parse_options (context, &argc, &argv, &status))
    return status;

  if (argc < 3)
    return evs_cli_usage_error ("IN and OUT are required");
  if (argc > 3)
    return evs_cli_usage_error ("unexpected argument “%s”", argv[3]);

  in_path = argv[1];
  out_path = argv[2];
  ranged = start_us != G_MININT64 || end_us != G_MAXINT64;

  if (start_us >= end_us)
    return evs_cli_usage_error ("--start-us (%" G_GINT64_FORMAT ") must be before --end-us "
                                "(%" G_GINT64_FORMAT ")", start_us, end_us);

  if (format_name != NULL)
    {
      format = evs_format_from_string (format_name);
      if (format == EVS_FORMAT_UNKNOWN)
        return evs_cli_usage_error ("unknown format “%s” (writable: " WRITABLE_FORMATS ")",
                                    format_name);
      if (!evs_format_can_write (format))
        return evs_cli_usage_error ("Evscope cannot write %s (%s) files (writable: "
                                    WRITABLE_FORMATS ")", evs_format_to_string (format),
                                    evs_format_get_display_name (format));
    }
  else
    {
      format = evs_format_for_output_path (out_path);
      if (format == EVS_FORMAT_UNKNOWN)
        return evs_cli_usage_error ("cannot tell the output format from the name “%s” "
                                    "(use .raw, .dat, .h5, .hdf5, .csv or .txt, or --format)",
                                    out_path);
    }

  if (pipeline_path != NULL)
    {
      /* The core's message names the file, the filter and the key. */
      pipeline = evs_pipeline_new_from_file (pipeline_path, &error);
      if (pipeline == NULL)
        return evs_cli_usage_error ("%s", error->message);
    }

  job = evs_export_job_new (in_path, out_path);
  evs_export_job_set_format (job, format);
  evs_export_job_set_time_range (job, start_us, end_us);
  evs_export_job_set_pipeline (job, pipeline);
  command_comment = g_strconcat ("evscope_command ", command_line, NULL);
  evs_export_job_add_comment (job, command_comment);

  /* Same file (also through links), a writer not in this build… */
  if (!evs_export_job_check (job, &error))
    return evs_cli_usage_error ("%s", error->message);

  evs_cli_catch_interrupts ();
  progress = evs_cli_progress_new ("Exporting");
  evs_export_job_set_progress_func (job, export_progress_cb, progress, NULL);

  ok = evs_export_job_run (job, evs_cli_progress_get_cancellable (progress), &error);
  evs_cli_progress_clear (progress);

  if (!ok)
    {
      if (evs_cli_interrupted () || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          evs_cli_printerr ("interrupted; “%s” was not written", out_path);
          return EVS_CLI_EXIT_INTERRUPTED;
        }
      return evs_cli_fail (error);
    }

  print_summary (job, out_path, format, ranged);

  return EVS_CLI_EXIT_OK;
}
