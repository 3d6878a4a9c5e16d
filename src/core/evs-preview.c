/* evs-preview.c
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

#define G_LOG_DOMAIN "evs-preview"

#include "config.h"

#include "evs-preview.h"

#include <string.h>

/* A preview shows one time window [t_end - window, t_end) through the
 * filter pipeline, for the workbench's live preview.
 *
 * Stateful filters (STCF, background activity, refractory, activity) look
 * back in time, so a window processed cold would differ from the same
 * window in an export, which has seen the whole recording before it.  The
 * preview therefore starts a warm-up before the window: the events of
 * [t_start - warm-up, t_start) run through the pipeline only to build its
 * state, then the stage counters are cleared and the window itself is
 * processed and counted.  The warm-up is the longest time parameter of the
 * enabled filters (window-us, period-us), capped at
 * %EVS_PREVIEW_MAX_WARMUP_US.  Filters whose decision depends only on the
 * last window of input (STCF, background activity) then match an export
 * exactly; a refractory filter's chain of kept events can in principle
 * reach further back than one period.  A hot-pixel filter that learns its
 * mask from the whole recording is previewed with the mask it has, as
 * learning would need a pass over the file.
 *
 * Memory is O(chunk + pixels), whatever the window. */

G_DEFINE_BOXED_TYPE (EvsPreview, evs_preview, evs_preview_ref, evs_preview_unref)

EvsPreview *
evs_preview_ref (EvsPreview *preview)
{
  g_return_val_if_fail (preview != NULL, NULL);

  g_atomic_ref_count_inc (&preview->ref_count);
  return preview;
}

void
evs_preview_unref (EvsPreview *preview)
{
  g_return_if_fail (preview != NULL);

  if (!g_atomic_ref_count_dec (&preview->ref_count))
    return;

  g_clear_pointer (&preview->kept, evs_frame_unref);
  g_clear_pointer (&preview->overlay, g_bytes_unref);
  g_free (preview->stages);
  g_free (preview);
}

/**
 * evs_preview_get_warmup_us:
 *
 * Returns: how long before a window the preview starts processing: the
 *   longest window-us or period-us of the enabled filters, capped at
 *   %EVS_PREVIEW_MAX_WARMUP_US
 */
gint64
evs_preview_get_warmup_us (EvsPipeline *pipeline)
{
  static const char * const keys[] = { "window-us", "period-us" };
  gint64 warmup = 0;

  g_return_val_if_fail (EVS_IS_PIPELINE (pipeline), 0);

  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    {
      EvsFilter *filter = evs_pipeline_get_filter (pipeline, i);

      if (!evs_filter_get_enabled (filter))
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (filter), keys[k]);
          guint value = 0;

          if (pspec == NULL || pspec->value_type != G_TYPE_UINT)
            continue;
          g_object_get (filter, keys[k], &value, NULL);
          warmup = MAX (warmup, (gint64) value);
        }
    }

  return MIN (warmup, EVS_PREVIEW_MAX_WARMUP_US);
}

static void
count_stage_in (EvsPreview          *preview,
                const EvsEventChunk *chunk)
{
  for (gsize i = 0; i < chunk->n_events; i++)
    preview->n_in_on += chunk->p[i] != 0;
  preview->n_in += chunk->n_events;
}

/**
 * evs_preview_render:
 * @reader: a reader of the recording (seeked and read; an index attached
 *   makes the seek cheap)
 * @pipeline: the pipeline to run, used exclusively by this call (pass an
 *   evs_pipeline_copy() of a pipeline other threads see): it is reset and
 *   its geometry set
 * @params: the window (a time window: window_events must be 0) and how to
 *   render it
 *
 * Streams the window and its warm-up (see evs_preview_get_warmup_us())
 * through @pipeline.  Usable from any thread.
 *
 * Returns: (transfer full): the preview, or %NULL on error or cancellation
 */
EvsPreview *
evs_preview_render (EvsReader              *reader,
                    EvsPipeline            *pipeline,
                    guint                   width,
                    guint                   height,
                    const EvsRenderParams  *params,
                    GCancellable           *cancellable,
                    GError                **error)
{
  g_autoptr(EvsRenderer) renderer = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  g_autoptr(EvsEventChunk) part = NULL;
  g_autoptr(EvsEventChunk) kept = NULL;
  g_autofree guint8 *removed_px = NULL;
  g_autofree guint8 *keep = NULL;
  gsize keep_size = 0;
  g_autoptr(EvsPreview) preview = NULL;
  gboolean in_window = FALSE, done = FALSE;
  guint8 *overlay;
  gsize n_pixels;
  gint64 t_start, t_end;
  guint32 removed;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);
  g_return_val_if_fail (EVS_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (params->window_events == 0, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  preview = g_new0 (EvsPreview, 1);
  g_atomic_ref_count_init (&preview->ref_count);

  t_end = params->t_end;
  t_start = t_end - MAX (params->window_us, 1);
  preview->t_start = t_start;
  preview->t_end = t_end;
  preview->warmup_us = evs_preview_get_warmup_us (pipeline);
  preview->n_stages = evs_pipeline_get_n_filters (pipeline);
  preview->stages = g_new0 (EvsStageStats, MAX (preview->n_stages, 1));

  n_pixels = (gsize) width * height;
  removed_px = g_malloc0 (n_pixels);
  renderer = evs_renderer_new (width, height, params);
  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  part = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  kept = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);

  evs_pipeline_set_geometry (pipeline, width, height);
  evs_pipeline_reset (pipeline);
  evs_pipeline_reset_stats (pipeline);

  if (!evs_reader_seek (reader, t_start - preview->warmup_us, error))
    return NULL;

  while (!done)
    {
      gsize n, split;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!evs_reader_read (reader, chunk, error))
        return NULL;
      if (chunk->n_events == 0)
        break;

      /* Up to the window's end only */
      n = evs_event_chunk_lower_bound (chunk, t_end);
      if (n < chunk->n_events)
        done = TRUE;

      split = in_window ? 0 : MIN (evs_event_chunk_lower_bound (chunk, t_start), n);
      if (split > 0)
        {
          /* Warm-up: state only */
          evs_event_chunk_clear (part);
          evs_event_chunk_append_range (part, chunk, 0, split);
          evs_pipeline_process (pipeline, part);
        }
      if (split == n)
        continue;
      if (!in_window)
        {
          in_window = TRUE;
          evs_pipeline_reset_stats (pipeline);
        }

      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, chunk, split, n - split);
      count_stage_in (preview, part);
      if (keep_size < part->n_events)
        {
          g_free (keep);
          keep_size = MAX (part->n_events, 4096);
          keep = g_malloc (keep_size);
        }
      evs_pipeline_process_mask (pipeline, part, keep, NULL);

      evs_event_chunk_clear (kept);
      evs_event_chunk_reserve (kept, part->n_events);
      for (gsize i = 0; i < part->n_events; i++)
        {
          if (keep[i])
            {
              evs_event_chunk_push (kept, part->t[i], part->x[i], part->y[i], part->p[i]);
              preview->n_kept_on += part->p[i] != 0;
            }
          else if (part->x[i] < width && part->y[i] < height)
            removed_px[(gsize) part->y[i] * width + part->x[i]] = 1;
        }
      preview->n_kept += kept->n_events;
      evs_renderer_add (renderer, kept);
    }

  if (in_window)
    for (guint i = 0; i < preview->n_stages; i++)
      evs_pipeline_get_stage_stats (pipeline, i, &preview->stages[i]);

  preview->kept = evs_renderer_finish (renderer);

  /* The overlay: the kept frame, removed pixels painted over */
  overlay = g_memdup2 (g_bytes_get_data (preview->kept->pixels, NULL),
                       g_bytes_get_size (preview->kept->pixels));
  removed = 0xff000000u | EVS_PREVIEW_REMOVED_COLOR;
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      if (removed_px[(gsize) y * width + x])
        *(guint32 *) (gpointer) (overlay + y * preview->kept->stride + (gsize) x * 4) = removed;
  preview->overlay = g_bytes_new_take (overlay, g_bytes_get_size (preview->kept->pixels));

  return g_steal_pointer (&preview);
}
