/* evs-cli-info.c
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

/* `evscope-cli info FILE [--json]`: what a recording holds.  The counts come
 * from the time index (one decoding pass, cached), so they are exact. */

typedef struct
{
  const char             *path;
  const EvsRecordingInfo *info;
  const EvsReaderStats   *stats;
  guint64                 n_events;
  guint64                 n_on;
  gint64                  t_first;
  gint64                  t_last;
} InfoSummary;

static const struct
{
  const char *key;
  const char *label;
  gsize       offset;
} stat_fields[] = {
  { "out_of_range", "events outside the sensor (dropped)", G_STRUCT_OFFSET (EvsReaderStats, out_of_range) },
  { "non_monotonic", "events earlier than the one before (kept)", G_STRUCT_OFFSET (EvsReaderStats, non_monotonic) },
  { "before_time_base", "events before the first time reference (dropped)", G_STRUCT_OFFSET (EvsReaderStats, before_time_base) },
  { "triggers", "external trigger events (not CD events)", G_STRUCT_OFFSET (EvsReaderStats, triggers) },
  { "other", "non-CD data skipped (monitoring words; frame, IMU or trigger packets)", G_STRUCT_OFFSET (EvsReaderStats, other) },
  { "unknown_words", "words of unknown type (skipped)", G_STRUCT_OFFSET (EvsReaderStats, unknown_words) },
};

static guint64
stat_value (const EvsReaderStats *stats,
            guint                 i)
{
  return G_STRUCT_MEMBER (guint64, stats, stat_fields[i].offset);
}

static void
print_row (const char *label,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
print_row (const char *label,
           const char *format,
           ...)
{
  g_autofree char *value = NULL;
  g_autofree char *heading = g_strconcat (label, ":", NULL);
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);

  /* Pad by characters, not bytes (labels may hold “µ”). */
  g_print ("%s%*s%s\n", heading, (int) MAX (1, 14 - (glong) g_utf8_strlen (heading, -1)), "",
           value);
}

static void
print_human (const InfoSummary *s)
{
  const EvsRecordingInfo *info = s->info;
  g_autofree char *size = evs_cli_format_size (info->file_size);
  g_autofree char *count = evs_cli_format_count (s->n_events);
  gboolean any_stats = FALSE;

  print_row ("File", "%s", s->path);
  print_row ("Format", "%s (%s)", evs_format_to_string (info->format),
             evs_format_get_display_name (info->format));
  print_row ("Size", "%s", size);

  if (info->width > 0 && info->height > 0)
    print_row ("Geometry", "%u × %u%s", info->width, info->height,
               info->geometry_known ? "" : " (inferred from the events: the file states none)");
  else
    print_row ("Geometry", "unknown (the file states none and holds no events)");

  if (s->n_events == 0)
    {
      print_row ("Events", "0 — the recording holds no events");
    }
  else
    {
      gint64 duration = s->t_last - s->t_first;
      g_autofree char *on = evs_cli_format_count (s->n_on);
      g_autofree char *off = evs_cli_format_count (s->n_events - s->n_on);
      g_autofree char *t_first = evs_cli_format_duration_us (s->t_first);
      g_autofree char *t_last = evs_cli_format_duration_us (s->t_last);
      g_autofree char *span = evs_cli_format_duration_us (duration);

      print_row ("Events", "%s", count);
      print_row ("ON / OFF", "%s / %s (%.1f %% ON)", on, off,
                 100.0 * (double) s->n_on / (double) s->n_events);
      print_row ("First event", "%" G_GINT64_FORMAT " µs (%s)", s->t_first, t_first);
      print_row ("Last event", "%" G_GINT64_FORMAT " µs (%s)", s->t_last, t_last);
      print_row ("Duration", "%s", span);
      if (duration > 0)
        {
          g_autofree char *rate =
            evs_cli_format_rate ((double) s->n_events * G_USEC_PER_SEC / (double) duration);

          print_row ("Mean rate", "%s", rate);
        }
      else
        print_row ("Mean rate", "– (all events share one timestamp)");
    }

  if (info->time_shift_us != 0)
    print_row ("Time shift", "%" G_GINT64_FORMAT " µs (Metavision subtracts it by default; "
               "Evscope shows times as stored)", info->time_shift_us);

  if (info->detail != NULL)
    print_row ("Note", "%s", info->detail);

  for (guint i = 0; i < G_N_ELEMENTS (stat_fields); i++)
    {
      guint64 v = stat_value (s->stats, i);

      if (v != 0)
        {
          g_autofree char *n = evs_cli_format_count (v);

          if (!any_stats)
            g_print ("Reader notes:\n");
          any_stats = TRUE;
          g_print ("  %s %s\n", n, stat_fields[i].label);
        }
    }

  if (info->header_keys != NULL && info->header_keys[0] != NULL)
    {
      g_print ("Header:\n");
      for (guint i = 0; info->header_keys[i] != NULL; i++)
        g_print ("  %s: %s\n", info->header_keys[i], info->header_values[i]);
    }
}

static void
print_json (const InfoSummary *s)
{
  const EvsRecordingInfo *info = s->info;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean empty = s->n_events == 0;

  json_builder_begin_object (b);

  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, s->path);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, evs_format_to_string (info->format));
  json_builder_set_member_name (b, "format_name");
  json_builder_add_string_value (b, evs_format_get_display_name (info->format));
  json_builder_set_member_name (b, "file_size");
  json_builder_add_int_value (b, (gint64) info->file_size);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, info->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, info->height);
  json_builder_set_member_name (b, "geometry_known");
  json_builder_add_boolean_value (b, info->geometry_known);
  json_builder_set_member_name (b, "events");
  json_builder_add_int_value (b, (gint64) s->n_events);
  json_builder_set_member_name (b, "on");
  json_builder_add_int_value (b, (gint64) s->n_on);
  json_builder_set_member_name (b, "off");
  json_builder_add_int_value (b, (gint64) (s->n_events - s->n_on));

  /* No event, no time: null rather than a made-up 0. */
  json_builder_set_member_name (b, "t_first_us");
  if (empty)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, s->t_first);
  json_builder_set_member_name (b, "t_last_us");
  if (empty)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, s->t_last);
  json_builder_set_member_name (b, "duration_us");
  if (empty)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, s->t_last - s->t_first);
  json_builder_set_member_name (b, "mean_rate_ev_per_s");
  if (empty || s->t_last <= s->t_first)
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, (double) s->n_events * G_USEC_PER_SEC
                                        / (double) (s->t_last - s->t_first));

  json_builder_set_member_name (b, "time_shift_us");
  json_builder_add_int_value (b, info->time_shift_us);
  json_builder_set_member_name (b, "detail");
  if (info->detail != NULL)
    json_builder_add_string_value (b, info->detail);
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "header");
  json_builder_begin_object (b);
  for (guint i = 0; info->header_keys != NULL && info->header_keys[i] != NULL; i++)
    {
      json_builder_set_member_name (b, info->header_keys[i]);
      json_builder_add_string_value (b, info->header_values[i]);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "stats");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (stat_fields); i++)
    {
      json_builder_set_member_name (b, stat_fields[i].key);
      json_builder_add_int_value (b, (gint64) stat_value (s->stats, i));
    }
  json_builder_end_object (b);

  json_builder_end_object (b);

  evs_cli_print_json (b);
}

int
evs_cli_info (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsIndex) index = NULL;
  g_autoptr(EvsCliProgress) progress = NULL;
  gboolean json = FALSE;
  InfoSummary s = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON instead of text", NULL },
    { NULL }
  };

  context = g_option_context_new ("FILE");
  g_option_context_set_summary (context,
    "Shows a recording's format, sensor geometry, exact event count, first and last\n"
    "timestamp, ON/OFF counts, header entries and what the reader skipped.\n"
    "Times are in µs as stored in the file (no Metavision time shift is applied).\n"
    "The first run decodes the whole file once and caches a time index.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  evscope-cli info recording.raw\n"
    "  evscope-cli info --json recording.h5\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!evs_cli_parse_options (context, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return evs_cli_usage_error ("a FILE is required");
  if (argc > 2)
    return evs_cli_usage_error ("unexpected argument “%s” (one FILE at a time)", argv[2]);

  s.path = argv[1];

  evs_cli_catch_interrupts ();

  reader = evs_reader_open (s.path, &error);
  if (reader == NULL)
    return evs_cli_fail (error);

  progress = evs_cli_progress_new ("Indexing");
  index = evs_index_ensure (reader, evs_cli_progress_get_cancellable (progress),
                            evs_cli_progress_index_cb, progress, &error);
  evs_cli_progress_clear (progress);
  if (index == NULL)
    {
      if (evs_cli_interrupted ())
        {
          evs_cli_printerr ("interrupted");
          return EVS_CLI_EXIT_INTERRUPTED;
        }
      return evs_cli_fail (error);
    }

  /* With the index attached, an unstated geometry is the events' extent. */
  s.info = evs_reader_get_info (reader);
  s.stats = evs_index_get_stats (index);
  s.n_events = evs_index_get_n_events (index);
  s.n_on = evs_index_get_n_on (index);
  s.t_first = evs_index_get_t_first (index);
  s.t_last = evs_index_get_t_last (index);

  if (json)
    print_json (&s);
  else
    print_human (&s);

  return EVS_CLI_EXIT_OK;
}
