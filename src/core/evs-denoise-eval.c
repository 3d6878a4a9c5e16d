/* evs-denoise-eval.c
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

#define G_LOG_DOMAIN "evs-denoise-eval"

#include "config.h"

#include "evs-denoise-eval.h"
#include "evs-hot-pixel-map.h"
#include "evs-error.h"
#include "evs-reader.h"

#include <string.h>

/* Scores pipelines on a recording with ground-truth labels (a synthetic
 * recording and its EVSLBL01 label file): the fraction of signal events
 * kept (true-positive rate) and of noise events kept (false-positive rate,
 * all non-signal classes together), plus each class. */

#define CHUNK_CAPACITY (64 * 1024)

/**
 * evs_denoise_score_get_tpr:
 *
 * Returns: the fraction of signal events kept (1 when there are none)
 */
double
evs_denoise_score_get_tpr (const EvsDenoiseScore *score)
{
  return evs_denoise_score_get_kept (score, EVS_SYNTH_LABEL_SIGNAL);
}

/**
 * evs_denoise_score_get_fpr:
 *
 * Returns: the fraction of noise events (every class but signal) kept
 */
double
evs_denoise_score_get_fpr (const EvsDenoiseScore *score)
{
  guint64 total = 0, kept = 0;

  for (guint l = 1; l < EVS_SYNTH_N_LABELS; l++)
    {
      total += score->total[l];
      kept += score->kept[l];
    }
  return total > 0 ? (double) kept / total : 0.0;
}

double
evs_denoise_score_get_kept (const EvsDenoiseScore *score,
                            EvsSynthLabel          label)
{
  g_return_val_if_fail (label < EVS_SYNTH_N_LABELS, 0.0);

  return score->total[label] > 0 ? (double) score->kept[label] / score->total[label] : 1.0;
}

/* The hot-pixel filters learn from the whole recording, as in an export */
static gboolean
count_pass (EvsReader      *reader,
            EvsPipeline   **copies,
            guint           n,
            GCancellable   *cancellable,
            GError        **error)
{
  guint w = evs_reader_get_width (reader);
  guint h = evs_reader_get_height (reader);
  gint64 duration = 1;
  g_autoptr(GBytes) counts = evs_pixel_counts_compute (reader, &w, &h, &duration, cancellable,
                                                       NULL, NULL, error);

  if (counts == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    evs_pipeline_learn_counts (copies[i], g_bytes_get_data (counts, NULL), w, h, duration);
  return TRUE;
}

/**
 * evs_denoise_eval:
 * @pipelines: (array length=n_pipelines): the pipelines to score (copies
 *   are run, so they are not modified)
 * @scores: (out caller-allocates) (array length=n_pipelines): one score per
 *   pipeline
 *
 * Streams the recording and its labels once, running every pipeline on
 * every chunk.  Hot-pixel filters that need whole-recording counts get them
 * from one extra counting pass.  The labels must match the recording event
 * for event.
 */
gboolean
evs_denoise_eval (const char             *recording,
                  const char             *labels,
                  EvsPipeline * const    *pipelines,
                  guint                   n_pipelines,
                  EvsDenoiseScore        *scores,
                  GCancellable           *cancellable,
                  GError                **error)
{
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsLabelReader) label_reader = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree guint8 *lab = NULL;
  g_autofree guint8 *keep = NULL;
  gboolean need_counts = FALSE;
  guint64 n_events = 0;

  g_return_val_if_fail (recording != NULL && labels != NULL, FALSE);
  g_return_val_if_fail (n_pipelines == 0 || (pipelines != NULL && scores != NULL), FALSE);

  reader = evs_reader_open (recording, error);
  if (reader == NULL)
    return FALSE;
  label_reader = evs_label_reader_open (labels, error);
  if (label_reader == NULL)
    return FALSE;

  memset (scores, 0, n_pipelines * sizeof (EvsDenoiseScore));
  for (guint i = 0; i < n_pipelines; i++)
    {
      EvsPipeline *copy = evs_pipeline_copy (pipelines[i]);

      evs_pipeline_set_geometry (copy, evs_reader_get_width (reader),
                                 evs_reader_get_height (reader));
      evs_pipeline_reset (copy);
      need_counts |= evs_pipeline_needs_first_pass (copy);
      g_ptr_array_add (copies, copy);
    }

  chunk = evs_event_chunk_new (CHUNK_CAPACITY);
  lab = g_malloc (CHUNK_CAPACITY);
  keep = g_malloc (CHUNK_CAPACITY);

  if (need_counts
      && !count_pass (reader, (EvsPipeline **) copies->pdata, copies->len, cancellable,
                      error))
    return FALSE;

  for (;;)
    {
      gsize got;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      evs_event_chunk_clear (chunk);
      if (!evs_reader_read (reader, chunk, error))
        return FALSE;
      if (chunk->n_events == 0)
        break;
      got = evs_label_reader_read (label_reader, lab, chunk->n_events, error);
      if (got != chunk->n_events)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                         "“%s” has %" G_GUINT64_FORMAT " labels but “%s” has more events",
                         labels, evs_label_reader_get_count (label_reader), recording);
          return FALSE;
        }
      n_events += chunk->n_events;

      for (guint p = 0; p < copies->len; p++)
        {
          EvsDenoiseScore *s = &scores[p];

          evs_pipeline_process_mask (g_ptr_array_index (copies, p), chunk, keep, NULL);
          for (gsize i = 0; i < chunk->n_events; i++)
            {
              s->total[lab[i]]++;
              s->kept[lab[i]] += keep[i];
            }
        }
    }

  if (n_events != evs_label_reader_get_count (label_reader))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "“%s” has %" G_GUINT64_FORMAT " labels but “%s” has %" G_GUINT64_FORMAT
                   " events", labels, evs_label_reader_get_count (label_reader), recording,
                   n_events);
      return FALSE;
    }

  return TRUE;
}
