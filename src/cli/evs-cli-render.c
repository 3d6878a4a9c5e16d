/* evs-cli-render.c
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
#include "evs-loader.h"
#include "evs-render.h"

#include <string.h>

/* evscope-cli render: one frame, through the same loader and renderer as
 * the viewer, so the PNG has exactly the GUI's pixels (at sensor size). */

static gboolean
parse_enum (GType        type,
            const char  *option,
            const char  *nick,
            int         *value,
            GError     **error)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *v;

  /* Not given: keep the default */
  if (nick == NULL)
    return TRUE;

  klass = g_type_class_ref (type);
  v = g_enum_get_value_by_nick (klass, nick);
  if (v == NULL)
    {
      g_autoptr(GString) choices = g_string_new (NULL);

      for (guint i = 0; i < klass->n_values; i++)
        g_string_append_printf (choices, "%s%s", i ? ", " : "", klass->values[i].value_nick);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Unknown value “%s” for %s (expected one of: %s)", nick, option, choices->str);
      return FALSE;
    }

  *value = v->value;
  return TRUE;
}

int
evs_cli_render (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsLoader) loader = NULL;
  g_autoptr(EvsFrame) frame = NULL;
  g_autoptr(EvsPipeline) filters = NULL;
  g_autoptr(EvsPreview) preview = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *style = NULL;
  g_autofree char *decay = NULL;
  g_autofree char *colormap = NULL;
  g_autofree char *pipeline = NULL;
  gint64 at_us = G_MININT64;
  gint64 window_us = 10000;
  double contrast = 1.0;
  double tau_us = 5000.0;
  gboolean split = FALSE;
  EvsRenderParams params;
  GOptionEntry entries[] = {
    { "at-us", 0, 0, G_OPTION_ARG_INT64, &at_us,
      "End of the window in µs, as stored in the file (default: first event + window)", "T" },
    { "window-us", 0, 0, G_OPTION_ARG_INT64, &window_us, "Window length in µs (default 10000)", "W" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "accumulate (default) or time-surface", "MODE" },
    { "style", 0, 0, G_OPTION_ARG_STRING, &style, "Accumulation colours: on-off or signed-grey", "S" },
    { "decay", 0, 0, G_OPTION_ARG_STRING, &decay, "Accumulation decay: none, linear, exponential", "D" },
    { "contrast", 0, 0, G_OPTION_ARG_DOUBLE, &contrast, "Accumulation contrast (default 1)", "C" },
    { "tau-us", 0, 0, G_OPTION_ARG_DOUBLE, &tau_us, "Time constant in µs (default 5000)", "TAU" },
    { "split-polarity", 0, 0, G_OPTION_ARG_NONE, &split, "Time surface per polarity", NULL },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &colormap, "viridis, inferno or grey", "MAP" },
    { "pipeline", 0, 0, G_OPTION_ARG_FILENAME, &pipeline, "Filter pipeline (JSON)", "FILE.json" },
    { NULL }
  };

  context = g_option_context_new ("IN OUT.png");
  g_option_context_set_summary (context, "Render one view of a recording to PNG, as the viewer does.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("evscope-cli render: %s\n", error->message);
      return 2;
    }
  if (argc != 3)
    {
      g_printerr ("evscope-cli render: expected IN and OUT.png (see --help)\n");
      return 2;
    }
  if (pipeline != NULL)
    {
      filters = evs_pipeline_new_from_file (pipeline, &error);
      if (filters == NULL)
        {
          g_printerr ("evscope-cli render: %s\n", error->message);
          return 2;
        }
    }
  if (window_us < 1 || window_us > G_GINT64_CONSTANT (2000000000))
    {
      g_printerr ("evscope-cli render: --window-us must be between 1 and 2000000000\n");
      return 2;
    }
  if (!(contrast > 0.0) || !(tau_us >= 1.0))
    {
      g_printerr ("evscope-cli render: --contrast must be > 0 and --tau-us ≥ 1\n");
      return 2;
    }

  evs_render_params_init (&params);
  params.window_us = window_us;
  params.contrast = contrast;
  params.tau_us = tau_us;
  params.split_polarity = split;
  if (!parse_enum (EVS_TYPE_VIEW_MODE, "--mode", mode, (int *) &params.mode, &error)
      || !parse_enum (EVS_TYPE_ACCUMULATE_STYLE, "--style", style, (int *) &params.style, &error)
      || !parse_enum (EVS_TYPE_DECAY, "--decay", decay, (int *) &params.decay, &error)
      || !parse_enum (EVS_TYPE_COLORMAP, "--colormap", colormap, (int *) &params.colormap, &error))
    {
      g_printerr ("evscope-cli render: %s\n", error->message);
      return 2;
    }

  loader = evs_loader_new ();
  if (!evs_loader_load (loader, argv[1], NULL, &error))
    {
      g_printerr ("evscope-cli render: %s: %s\n", argv[1], error->message);
      return 1;
    }

  if (at_us == G_MININT64)
    params.t_end = evs_index_get_t_first (evs_loader_get_index (loader)) + window_us;
  else
    params.t_end = at_us;

  if (filters == NULL)
    frame = evs_loader_render (loader, &params, NULL, &error);
  else
    {
      /* The workbench's preview: the window through the pipeline, after the
       * same warm-up, with hot pixels learnt from the whole recording as an
       * export learns them. */
      g_autoptr(EvsReader) reader = evs_reader_open (argv[1], &error);
      g_autoptr(EvsIndex) index = NULL;
      guint width = evs_loader_get_width (loader);
      guint height = evs_loader_get_height (loader);

      if (reader != NULL)
        index = evs_index_ensure (reader, NULL, NULL, NULL, &error);
      if (index != NULL && evs_pipeline_needs_first_pass (filters))
        {
          guint cw = width, ch = height;
          gint64 duration = 1;
          g_autoptr(GBytes) counts = evs_pixel_counts_compute (reader, &cw, &ch, &duration,
                                                               NULL, NULL, NULL, &error);

          if (counts == NULL)
            g_clear_pointer (&index, evs_index_unref);
          else
            evs_pipeline_learn_counts (filters, g_bytes_get_data (counts, NULL), cw, ch, duration);
        }
      if (index != NULL)
        preview = evs_preview_render (reader, filters, width, height, &params, NULL, &error);
      if (preview != NULL)
        {
          frame = evs_frame_ref (preview->kept);
          g_printerr ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " events in the window kept\n",
                      preview->n_kept, preview->n_in);
        }
    }
  if (frame == NULL || !evs_frame_save_png (frame, argv[2], &error))
    {
      g_printerr ("evscope-cli render: %s\n", error->message);
      return 1;
    }

  return 0;
}
