/* evs-cli-denoise-eval.c
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

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evs-cli.h"
#include "evs-denoise-eval.h"
#include "evs-filter.h"
#include "evs-pipeline.h"

/* evscope-cli denoise-eval REC LABELS --pipeline P.json [--sweep KEY=A:B:N]
 * prints, per setting, the fraction of signal events kept (TPR) and of
 * noise events kept (FPR), and the kept fraction of each label class. */

typedef struct
{
  char  *label;
  double value;
} Setting;

static gboolean
parse_sweep (const char  *spec,
             char       **key,
             double      *a,
             double      *b,
             guint       *n,
             GError     **error)
{
  const char *eq = strchr (spec, '=');
  g_auto(GStrv) parts = NULL;
  char *end = NULL;
  guint64 count;

  if (eq == NULL || eq == spec)
    goto bad;
  parts = g_strsplit (eq + 1, ":", -1);
  if (g_strv_length (parts) != 3)
    goto bad;
  *a = g_ascii_strtod (parts[0], &end);
  if (end == parts[0] || *end != '\0' || !isfinite (*a))
    goto bad;
  *b = g_ascii_strtod (parts[1], &end);
  if (end == parts[1] || *end != '\0' || !isfinite (*b))
    goto bad;
  count = g_ascii_strtoull (parts[2], &end, 10);
  if (end == parts[2] || *end != '\0' || count < 1 || count > 1000)
    goto bad;
  *n = count;
  *key = g_strndup (spec, eq - spec);
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--sweep “%s”: expected FILTER.param=FROM:TO:COUNT (COUNT 1–1000), "
               "e.g. stcf.window_us=1000:10000:5", spec);
  return FALSE;
}

int
evs_cli_denoise_eval (int    argc,
                      char **argv)
{
  g_autofree char *pipeline_path = NULL;
  g_autofree char *sweep = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) base = NULL;
  g_autoptr(GPtrArray) pipelines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree EvsDenoiseScore *scores = NULL;
  GOptionEntry entries[] = {
    { "pipeline", 0, 0, G_OPTION_ARG_FILENAME, &pipeline_path,
      "Pipeline JSON to score (required)", "P.json" },
    { "sweep", 0, 0, G_OPTION_ARG_STRING, &sweep,
      "Vary one parameter: FILTER.param=FROM:TO:COUNT where FILTER is the filter's index or "
      "type (e.g. stcf.window_us=1000:10000:5)", "KEY=A:B:N" },
    { NULL }
  };

  context = g_option_context_new ("REC LABELS — score a filter pipeline on labelled events");
  g_option_context_set_summary (context,
    "Runs the pipeline on a recording whose events have ground-truth labels (from\n"
    "“evscope-cli synth --labels”) and prints, per setting, TPR = fraction of signal events\n"
    "kept and FPR = fraction of noise events (shot noise, leak, hot pixels) kept, plus the\n"
    "kept fraction of each class: an ROC table when a parameter is swept.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("evscope-cli denoise-eval: %s\n", error->message);
      return 2;
    }
  if (argc != 3 || pipeline_path == NULL)
    {
      g_printerr ("evscope-cli denoise-eval: expected REC LABELS and --pipeline (see --help)\n");
      return 2;
    }

  base = evs_pipeline_new_from_file (pipeline_path, &error);
  if (base == NULL)
    {
      g_printerr ("evscope-cli denoise-eval: %s\n", error->message);
      return 2;
    }

  if (sweep == NULL)
    {
      g_ptr_array_add (pipelines, g_object_ref (base));
      g_ptr_array_add (names, g_strdup ("pipeline"));
    }
  else
    {
      g_autofree char *key = NULL;
      const char *param = NULL;
      double a, b;
      guint n;
      EvsFilter *f;
      GParamSpec *pspec;
      g_autofree char *prop = NULL;
      gboolean integral;

      if (!parse_sweep (sweep, &key, &a, &b, &n, &error)
          || (f = evs_pipeline_find_filter (base, key, &param, &error)) == NULL)
        {
          g_printerr ("evscope-cli denoise-eval: %s\n", error->message);
          return 2;
        }
      prop = g_strdup (param);
      g_strdelimit (prop, "_", '-');
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f), prop);
      integral = pspec != NULL
                 && (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_UINT
                     || G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_INT
                     || G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_INT64);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(EvsPipeline) copy = evs_pipeline_copy (base);
          double v = n == 1 ? a : a + (b - a) * i / (n - 1);
          char text[G_ASCII_DTOSTR_BUF_SIZE];
          guint index = 0;
          EvsFilter *target;

          for (guint j = 0; j < evs_pipeline_get_n_filters (base); j++)
            if (evs_pipeline_get_filter (base, j) == f)
              index = j;
          target = evs_pipeline_get_filter (copy, index);
          if (integral)
            g_snprintf (text, sizeof text, "%.0f", round (v));
          else
            g_ascii_formatd (text, sizeof text, "%.6g", v);
          if (!evs_filter_set_param_from_string (target, param, text, &error))
            {
              g_printerr ("evscope-cli denoise-eval: %s\n", error->message);
              return 2;
            }
          g_ptr_array_add (pipelines, g_steal_pointer (&copy));
          g_ptr_array_add (names, g_strdup_printf ("%s=%s", key, text));
        }
    }

  scores = g_new0 (EvsDenoiseScore, pipelines->len);
  if (!evs_denoise_eval (argv[1], argv[2], (EvsPipeline * const *) pipelines->pdata,
                         pipelines->len, scores, NULL, &error))
    {
      g_printerr ("evscope-cli denoise-eval: %s\n", error->message);
      return 1;
    }

  g_print ("%-32s %8s %8s", "setting", "TPR", "FPR");
  for (guint l = 0; l < EVS_SYNTH_N_LABELS; l++)
    g_print (" %10s", evs_synth_label_to_string (l));
  g_print ("\n");
  for (guint i = 0; i < pipelines->len; i++)
    {
      g_print ("%-32s %8.5f %8.5f", (const char *) names->pdata[i],
               evs_denoise_score_get_tpr (&scores[i]), evs_denoise_score_get_fpr (&scores[i]));
      for (guint l = 0; l < EVS_SYNTH_N_LABELS; l++)
        {
          if (scores[i].total[l] > 0)
            g_print (" %10.5f", evs_denoise_score_get_kept (&scores[i], l));
          else
            g_print (" %10s", "-");
        }
      g_print ("\n");
    }
  g_print ("events per class:");
  for (guint l = 0; l < EVS_SYNTH_N_LABELS; l++)
    g_print (" %s %" G_GUINT64_FORMAT, evs_synth_label_to_string (l), scores[0].total[l]);
  g_print ("\n");

  return 0;
}
