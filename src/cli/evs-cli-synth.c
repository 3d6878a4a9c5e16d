/* evs-cli-synth.c
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

#include <stdio.h>
#include <unistd.h>

#include "evs-cli.h"
#include "evs-synth.h"

/* evscope-cli synth OUT [options]: a realistic synthetic recording (moving
 * edges, v2e-like noise, hot pixels), optionally with ground-truth labels. */

int
evs_cli_synth (int    argc,
               char **argv)
{
  EvsSynthParams params;
  gint64 width = 0, height = 0, seed = 0;
  g_autofree char *format_name = NULL;
  gint64 hot_pixels = -1;
  gboolean labels = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsSynth) synth = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsLabelWriter) label_writer = NULL;
  g_autoptr(EvsRecordingInfo) info = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  g_autofree guint8 *label_buf = NULL;
  g_autofree char *label_path = NULL;
  g_autofree char *seed_comment = NULL;
  const char *comments[3] = { NULL, NULL, NULL };
  gboolean progress = isatty (STDERR_FILENO);
  EvsFormat format;
  guint64 total = 0;
  gint64 start_time;
  double last_progress = -1.0;

  evs_synth_params_init (&params);
  width = params.width;
  height = params.height;
  seed = (gint64) params.seed;

  {
    GOptionEntry entries[] = {
      { "width", 0, 0, G_OPTION_ARG_INT64, &width, "Sensor width (default 640)", "PX" },
      { "height", 0, 0, G_OPTION_ARG_INT64, &height, "Sensor height (default 480)", "PX" },
      { "duration-us", 0, 0, G_OPTION_ARG_INT64, &params.duration_us,
        "Length of the recording (default 10000000)", "US" },
      { "t-start-us", 0, 0, G_OPTION_ARG_INT64, &params.t_start_us,
        "Time of the first instant (default 0)", "US" },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
      { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &params.rate,
        "Target signal rate of the moving edges (default 3e6)", "EV/S" },
      { "noise-hz", 0, 0, G_OPTION_ARG_DOUBLE, &params.noise_hz,
        "Shot noise per pixel (default 0.2)", "HZ" },
      { "leak-hz", 0, 0, G_OPTION_ARG_DOUBLE, &params.leak_hz,
        "Leak events per pixel (default 0.1)", "HZ" },
      { "hot-pixels", 0, 0, G_OPTION_ARG_INT64, &hot_pixels,
        "Number of hot pixels (default 3)", "N" },
      { "hot-rate-hz", 0, 0, G_OPTION_ARG_DOUBLE, &params.hot_rate_hz,
        "Mean rate of a hot pixel (default 2000)", "HZ" },
      { "format", 0, 0, G_OPTION_ARG_STRING, &format_name,
        "Output format (default from OUT's extension: .raw → evt3, .dat, .h5, .csv)", "F" },
      { "labels", 0, 0, G_OPTION_ARG_NONE, &labels,
        "Also write ground-truth labels to OUT.labels (EVSLBL01 format)", NULL },
      { NULL }
    };

    context = g_option_context_new ("OUT — write a synthetic recording");
    g_option_context_set_summary (context,
      "Moving bright discs and bar gratings (ON on leading edges, OFF on trailing edges,\n"
      "row bursts with shared timestamps), v2e-like shot and leak noise and hot pixels.\n"
      "The same seed always gives the same events.  OUT.labels holds one byte per event:\n"
      "0 signal, 1 shot noise, 2 leak, 3 hot pixel, after the 8-byte magic “EVSLBL01” and\n"
      "a little-endian 64-bit count.");
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        g_printerr ("evscope-cli synth: %s\n", error->message);
        return 2;
      }
  }

  if (argc != 2)
    {
      g_printerr ("evscope-cli synth: expected one output file (see --help)\n");
      return 2;
    }
  if (width <= 0 || height <= 0 || width > 8192 || height > 8192 || seed < 0
      || hot_pixels < -1 || hot_pixels > G_MAXINT32)
    {
      g_printerr ("evscope-cli synth: width/height must be 1–8192, seed and hot pixels ≥ 0\n");
      return 2;
    }
  params.width = width;
  params.height = height;
  params.seed = seed;
  if (hot_pixels >= 0)
    params.n_hot_pixels = hot_pixels;

  if (format_name != NULL)
    format = evs_format_from_string (format_name);
  else
    format = evs_format_for_output_path (argv[1]);
  if (!evs_format_can_write (format))
    {
      g_printerr ("evscope-cli synth: cannot tell which format to write for “%s”; use an "
                  "extension (.raw .dat .h5 .csv) or --format\n", argv[1]);
      return 2;
    }

  synth = evs_synth_new (&params, &error);
  if (synth == NULL)
    {
      g_printerr ("evscope-cli synth: %s\n", error->message);
      return 2;
    }

  writer = evs_writer_new (format, argv[1], &error);
  if (writer == NULL)
    {
      g_printerr ("evscope-cli synth: %s\n", error->message);
      return 1;
    }
  info = evs_synth_create_info (synth);
  info->format = format;
  seed_comment = g_strdup_printf ("evscope_synth seed=%" G_GUINT64_FORMAT " rate=%g noise_hz=%g "
                                  "leak_hz=%g hot_pixels=%u hot_rate_hz=%g",
                                  params.seed, params.rate, params.noise_hz, params.leak_hz,
                                  params.n_hot_pixels, params.hot_rate_hz);
  comments[0] = "evscope_version " PACKAGE_VERSION;
  comments[1] = seed_comment;
  if (!evs_writer_begin (writer, info, comments, &error))
    {
      g_printerr ("evscope-cli synth: %s\n", error->message);
      return 1;
    }

  if (labels)
    {
      label_path = g_strconcat (argv[1], ".labels", NULL);
      label_writer = evs_label_writer_new (label_path, &error);
      if (label_writer == NULL)
        {
          g_printerr ("evscope-cli synth: %s\n", error->message);
          evs_writer_abort (writer);
          return 1;
        }
    }

  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY * 4);
  label_buf = g_malloc (chunk->capacity);
  start_time = g_get_monotonic_time ();
  for (;;)
    {
      evs_event_chunk_clear (chunk);
      if (evs_synth_fill (synth, chunk, label_buf) == 0)
        break;
      if (!evs_writer_write (writer, chunk, &error)
          || (label_writer != NULL
              && !evs_label_writer_write (label_writer, label_buf, chunk->n_events, &error)))
        {
          if (progress)
            g_printerr ("\n");
          g_printerr ("evscope-cli synth: %s\n", error->message);
          evs_writer_abort (writer);
          return 1;
        }
      total += chunk->n_events;
      if (progress && evs_synth_get_fraction (synth) - last_progress >= 0.01)
        {
          last_progress = evs_synth_get_fraction (synth);
          g_printerr ("\r%3.0f %%  %" G_GUINT64_FORMAT " events", last_progress * 100, total);
        }
    }

  if (!evs_writer_finish (writer, &error)
      || (label_writer != NULL && !evs_label_writer_finish (label_writer, &error)))
    {
      if (progress)
        g_printerr ("\n");
      g_printerr ("evscope-cli synth: %s\n", error->message);
      return 1;
    }
  if (progress)
    g_printerr ("\r");

  {
    double secs = (g_get_monotonic_time () - start_time) / 1e6;

    g_print ("%s: %" G_GUINT64_FORMAT " events, %ux%u, %.3f s of recording (%s) in %.2f s\n",
             argv[1], total, params.width, params.height, params.duration_us / 1e6,
             evs_format_to_string (format), secs);
    if (label_path != NULL)
      g_print ("%s: labels\n", label_path);
  }

  return 0;
}
