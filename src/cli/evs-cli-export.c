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

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

/* `evscope-cli export IN OUT [--format F] [--start-us T] [--end-us T]`
 *
 * One streaming pass:  reader → select time range → process → writer.
 * Memory is one chunk.  The writer writes a temporary file beside OUT and
 * renames it only when everything succeeded, so an error or Ctrl-C leaves
 * nothing behind and an existing OUT untouched. */

#define WRITABLE_FORMATS "evt2, evt21, evt3, dat, csv, dsec-hdf5, prophesee-hdf5"

typedef struct
{
  /* What to do */
  const char       *in_path;
  const char       *out_path;
  EvsFormat         format;
  gint64            start_us;       /* inclusive; G_MININT64 when unbounded */
  gint64            end_us;         /* exclusive; G_MAXINT64 when unbounded */
  char             *command_line;

  /* The flow */
  EvsReader        *reader;
  EvsIndex         *index;
  EvsWriter        *writer;
  EvsEventChunk    *chunk;
  guint8           *keep;
  EvsCliProgress   *progress;

  /* Time range selection */
  gboolean          stop_at_end;    /* times never decrease: stop at the first t ≥ end */
  gboolean          done;

  /* Progress: ordinals of the stretch being decoded, when indexed */
  guint64           ordinal_begin;
  guint64           ordinal_end;

  /* Counts */
  guint64           events_read;
  guint64           events_selected;
} Export;

static void
export_clear (Export *self)
{
  if (self->writer != NULL)
    evs_writer_abort (self->writer);
  g_clear_object (&self->writer);
  g_clear_object (&self->reader);
  g_clear_pointer (&self->index, evs_index_unref);
  g_clear_pointer (&self->chunk, evs_event_chunk_unref);
  g_clear_pointer (&self->keep, g_free);
  g_clear_pointer (&self->progress, evs_cli_progress_free);
  g_clear_pointer (&self->command_line, g_free);
}

/* Refuses writing over the input: the same inode (also through a symlink
 * or a hard link), or the same canonical path. */
static gboolean
same_file (const char *in_path,
           const char *out_path)
{
  GStatBuf in_st, out_st;
  g_autofree char *in_real = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *out_dir_real = NULL;
  g_autofree char *out_base = NULL;
  g_autofree char *out_real = NULL;

  if (g_stat (in_path, &in_st) != 0)
    return FALSE;

  if (g_stat (out_path, &out_st) == 0 && in_st.st_dev == out_st.st_dev
      && in_st.st_ino == out_st.st_ino)
    return TRUE;

  in_real = realpath (in_path, NULL);
  out_dir = g_path_get_dirname (out_path);
  out_dir_real = realpath (out_dir, NULL);
  if (in_real == NULL || out_dir_real == NULL)
    return FALSE;

  out_base = g_path_get_basename (out_path);
  out_real = g_build_filename (out_dir_real, out_base, NULL);

  return strcmp (in_real, out_real) == 0;
}

static gboolean
format_is_available (EvsWriter *writer)
{
  /* Writers still being written in this tree have no write vfunc. */
  return EVS_WRITER_GET_CLASS (writer)->write != NULL;
}

static void
index_extent_range (Export *self)
{
  const EvsIndexEntry *entries;
  guint n_entries = 0;

  self->ordinal_begin = evs_reader_get_ordinal (self->reader);
  self->ordinal_end = evs_index_get_n_events (self->index);

  if (!self->stop_at_end)
    return;

  /* The first chunk after which some event had reached the end time: the
   * export stops before it. */
  entries = evs_index_get_entries (self->index, &n_entries);
  for (guint i = 0; i < n_entries; i++)
    {
      if (entries[i].position.t >= self->end_us)
        {
          self->ordinal_end = entries[i].position.ordinal;
          break;
        }
    }
}

static double
export_fraction (Export *self)
{
  if (self->index != NULL)
    {
      guint64 now = evs_reader_get_ordinal (self->reader);

      if (self->ordinal_end <= self->ordinal_begin)
        return 1.0;
      return (double) (now - MIN (now, self->ordinal_begin))
             / (double) (self->ordinal_end - self->ordinal_begin);
    }

  return evs_reader_get_fraction (self->reader);
}

/* Step 1: keep the events in [start, end).  On a recording whose times
 * never decrease (the index counted no step back) the seek already skipped
 * what comes before start and the first event at or after end ends the
 * export; otherwise every event is checked to the end of the file. */
static void
export_select_range (Export        *self,
                     EvsEventChunk *chunk)
{
  gsize n = chunk->n_events;
  gboolean all = TRUE;

  if (self->start_us == G_MININT64 && self->end_us == G_MAXINT64)
    return;

  if (self->stop_at_end)
    {
      gsize k = evs_event_chunk_lower_bound (chunk, self->end_us);

      if (k < n)
        {
          chunk->n_events = k;
          self->done = TRUE;
        }
      return;
    }

  for (gsize i = 0; i < n; i++)
    {
      gboolean in = chunk->t[i] >= self->start_us && chunk->t[i] < self->end_us;

      self->keep[i] = in;
      all &= in;
    }
  if (!all)
    evs_event_chunk_compact (chunk, self->keep);
}

/* Step 2: process the selected events in place.  The filter pipeline
 * (--pipeline) goes here: run it on @chunk and compact with its keep mask. */
static gboolean
export_process_chunk (Export         *self,
                      EvsEventChunk  *chunk,
                      GError        **error)
{
  return TRUE;
}

static int
export_run (Export *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsRecordingInfo) out_info = NULL;
  g_autofree char *source = NULL;
  g_autofree char *comment_version = NULL;
  g_autofree char *comment_source = NULL;
  g_autofree char *comment_command = NULL;
  const char *comments[4];
  gboolean ranged = self->start_us != G_MININT64 || self->end_us != G_MAXINT64;
  gint64 started;

  evs_cli_catch_interrupts ();

  self->reader = evs_reader_open (self->in_path, &error);
  if (self->reader == NULL)
    return evs_cli_fail (error);

  self->writer = evs_writer_new (self->format, self->out_path, &error);
  if (self->writer == NULL)
    return evs_cli_fail (error);
  if (!format_is_available (self->writer))
    {
      g_clear_object (&self->writer);
      return evs_cli_usage_error ("writing %s (%s) is not available in this build",
                                  evs_format_to_string (self->format),
                                  evs_format_get_display_name (self->format));
    }

  self->progress = evs_cli_progress_new ("Indexing");

  /* The index gives the seek target and, when the file states no
   * geometry, the sensor size for the output header. */
  if (ranged || !evs_reader_get_info (self->reader)->geometry_known)
    {
      self->index = evs_index_ensure (self->reader,
                                      evs_cli_progress_get_cancellable (self->progress),
                                      evs_cli_progress_index_cb, self->progress, &error);
      evs_cli_progress_clear (self->progress);
      if (self->index == NULL)
        {
          if (evs_cli_interrupted ())
            {
              evs_cli_printerr ("interrupted; “%s” was not written", self->out_path);
              return EVS_CLI_EXIT_INTERRUPTED;
            }
          return evs_cli_fail (error);
        }
      self->stop_at_end = evs_index_get_stats (self->index)->non_monotonic == 0;
    }

  if (self->start_us != G_MININT64 && !evs_reader_seek (self->reader, self->start_us, &error))
    return evs_cli_fail (error);

  if (self->index != NULL)
    index_extent_range (self);

  out_info = evs_recording_info_copy (evs_reader_get_info (self->reader));
  out_info->format = self->format;
  out_info->geometry_known = out_info->width > 0 && out_info->height > 0;

  source = g_path_get_basename (self->in_path);
  comment_version = g_strconcat ("evscope_version ", PACKAGE_VERSION, NULL);
  comment_source = g_strconcat ("evscope_source ", source, NULL);
  comment_command = g_strconcat ("evscope_command ", self->command_line, NULL);
  comments[0] = comment_version;
  comments[1] = comment_source;
  comments[2] = comment_command;
  comments[3] = NULL;

  if (!evs_writer_begin (self->writer, out_info, comments, &error))
    return evs_cli_fail (error);

  self->chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  self->keep = g_malloc (self->chunk->capacity);
  evs_cli_progress_set_label (self->progress, "Exporting");
  started = g_get_monotonic_time ();

  while (!self->done)
    {
      if (evs_cli_interrupted ())
        {
          evs_writer_abort (self->writer);
          evs_cli_progress_clear (self->progress);
          evs_cli_printerr ("interrupted; “%s” was not written", self->out_path);
          return EVS_CLI_EXIT_INTERRUPTED;
        }

      if (!evs_reader_read (self->reader, self->chunk, &error))
        {
          evs_writer_abort (self->writer);
          evs_cli_progress_clear (self->progress);
          return evs_cli_fail (error);
        }
      if (self->chunk->n_events == 0)
        break;
      self->events_read += self->chunk->n_events;

      export_select_range (self, self->chunk);
      self->events_selected += self->chunk->n_events;

      if (!export_process_chunk (self, self->chunk, &error)
          || !evs_writer_write (self->writer, self->chunk, &error))
        {
          evs_writer_abort (self->writer);
          evs_cli_progress_clear (self->progress);
          return evs_cli_fail (error);
        }

      evs_cli_progress_update (self->progress, export_fraction (self), self->events_read);
    }

  if (!evs_writer_finish (self->writer, &error))
    {
      evs_cli_progress_clear (self->progress);
      return evs_cli_fail (error);
    }
  evs_cli_progress_clear (self->progress);

  {
    double seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
    guint64 written = evs_writer_get_n_events (self->writer);
    g_autofree char *n_read = evs_cli_format_count (self->events_read);
    g_autofree char *n_written = evs_cli_format_count (written);

    g_print ("Wrote %s events to %s (%s) from %s events read, in %.3f s (%.2f M ev/s)\n",
             n_written, self->out_path, evs_format_to_string (self->format), n_read, seconds,
             seconds > 0 ? (double) self->events_read / seconds / 1e6 : 0.0);
    if (written == 0)
      g_print ("The output holds no events%s.\n",
               ranged ? ": none falls in the time range" : "");
  }

  return EVS_CLI_EXIT_OK;
}

int
evs_cli_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *command_line = evs_cli_command_line (argc, argv);
  gint64 start_us = G_MININT64;
  gint64 end_us = G_MAXINT64;
  Export self = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "Output format (default: from OUT's extension)", "FORMAT" },
    { "start-us", 0, 0, G_OPTION_ARG_INT64, &start_us,
      "Keep events at or after T µs (the input's own time base)", "T" },
    { "end-us", 0, 0, G_OPTION_ARG_INT64, &end_us,
      "Keep events before T µs (the input's own time base)", "T" },
    { "pipeline", 'p', 0, G_OPTION_ARG_FILENAME, &pipeline,
      "Filter the events with a pipeline preset (not available in this build yet)",
      "FILE.json" },
    { NULL }
  };

  context = g_option_context_new ("IN OUT");
  g_option_context_set_summary (context,
    "Converts a recording, optionally cut to a time range, streaming it chunk by\n"
    "chunk.  OUT is written atomically: on any error or Ctrl-C nothing is left\n"
    "behind and an existing OUT is untouched.  Timestamps keep the input's\n"
    "absolute time base.");
  g_option_context_set_description (context,
    "Formats: evt2, evt21, evt3, dat, csv, dsec-hdf5, prophesee-hdf5.  Without\n"
    "--format, OUT's extension decides:\n"
    "  .raw → evt3   .dat → dat   .h5, .hdf5 → dsec-hdf5   .csv, .txt → csv (t,x,y,p)\n"
    "The time range is start ≤ t < end; the first run indexes the input (cached).\n"
    "\n"
    "Examples:\n"
    "  evscope-cli export in.raw out.h5\n"
    "  evscope-cli export in.raw out.raw --format evt2\n"
    "  evscope-cli export in.dat cut.csv --start-us 1000000 --end-us 2000000\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!evs_cli_parse_options (context, &argc, &argv, &status))
    return status;

  if (argc < 3)
    return evs_cli_usage_error ("IN and OUT are required");
  if (argc > 3)
    return evs_cli_usage_error ("unexpected argument “%s”", argv[3]);

  self.in_path = argv[1];
  self.out_path = argv[2];
  self.start_us = start_us;
  self.end_us = end_us;

  if (pipeline != NULL)
    return evs_cli_usage_error ("filter pipelines are not available in this build "
                                "(--pipeline %s)", pipeline);

  if (start_us >= end_us)
    return evs_cli_usage_error ("--start-us (%" G_GINT64_FORMAT ") must be before --end-us "
                                "(%" G_GINT64_FORMAT ")", start_us, end_us);

  if (format_name != NULL)
    {
      self.format = evs_format_from_string (format_name);
      if (self.format == EVS_FORMAT_UNKNOWN)
        return evs_cli_usage_error ("unknown format “%s” (writable: " WRITABLE_FORMATS ")",
                                    format_name);
      if (!evs_format_can_write (self.format))
        return evs_cli_usage_error ("Evscope cannot write %s (%s) files (writable: "
                                    WRITABLE_FORMATS ")", evs_format_to_string (self.format),
                                    evs_format_get_display_name (self.format));
    }
  else
    {
      self.format = evs_format_for_output_path (self.out_path);
      if (self.format == EVS_FORMAT_UNKNOWN)
        return evs_cli_usage_error ("cannot tell the output format from the name “%s” "
                                    "(use .raw, .dat, .h5, .hdf5, .csv or .txt, or --format)",
                                    self.out_path);
    }

  if (same_file (self.in_path, self.out_path))
    return evs_cli_usage_error ("OUT “%s” is the input file; choose another name",
                                self.out_path);

  self.command_line = g_steal_pointer (&command_line);
  status = export_run (&self);
  export_clear (&self);

  return status;
}
